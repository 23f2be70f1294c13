/** JWK Sets: holding keys, selecting one for a token header, storing sets. */

export { JWKSetError } from './errors.js';
export { JWKSet, type JWKSetOptions } from './jwk-set.js';
export type {
  JWSHeader,
  KeySource,
  MultipleMatchPolicy,
  SelectedKey,
  SelectKeyOptions,
} from './key-source.js';
export { MemoryStorage } from './memory-storage.js';
export { loadJWKSet, saveJWKSet } from './persist.js';
export type { JSONValue, Storage, StoredRecord, WriteOptions } from './storage.js';

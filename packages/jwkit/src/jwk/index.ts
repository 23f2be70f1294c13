/**
 * The JWK layer's public API: the data model, validation, thumbprints and the key/alg rules.
 * Pure data and rules: nothing here needs a crypto backend (that is src/crypto).
 */

export type { ParsedJSON, ParseJSONOptions } from '../json/index.js';
export { parseJSON } from '../json/index.js';
export { checkKeyForAlg } from './key-alg.js';
export type * from './model.js';
export { canonicalOrder, isPrivate, toPublic } from './model.js';
export type { ThumbprintHash } from './thumbprint.js';
export { thumbprint, thumbprintInput, thumbprintURI } from './thumbprint.js';
export type { JWKReport, JWKSetReport, ProblemCode, SkippedKey, ValidateOptions } from './validate/index.js';
export { PROBLEM_CODES, parseJWK, parseJWKSet, validateJWK, validateJWKSet } from './validate/index.js';

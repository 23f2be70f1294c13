/** Keeping a JWKSet in a `Storage` record, with the record's version for optimistic writes. */

import { JWKSet, type JWKSetOptions } from './jwk-set.js';
import type { JSONValue, Storage, WriteOptions } from './storage.js';

/**
 * Reads the set stored under `name` (leniently, like `JWKSet.from`) with the version to pass as
 * `ifVersion` when saving it back; `undefined` when there is no such record.
 */
export async function loadJWKSet(
  storage: Storage,
  name: string,
  options?: JWKSetOptions,
): Promise<{ set: JWKSet; version: number } | undefined> {
  const record = await storage.get(name);
  if (record === undefined) return undefined;
  return { set: JWKSet.from(record.value as object, options), version: record.version };
}

/**
 * Stores `set` under `name` and returns the new version. Public keys only unless
 * `private: true` (a store that keeps signing keys must opt in, and should be protected).
 * With `ifVersion`, fails with `ERR_STORE_VERSION_CONFLICT` if someone else wrote in between.
 */
export async function saveJWKSet(
  storage: Storage,
  name: string,
  set: JWKSet,
  options: WriteOptions & { private?: boolean } = {},
): Promise<number> {
  const value = set.toJSON({ private: options.private === true }) as unknown as JSONValue;
  const record = await storage.put(name, value, { ifVersion: options.ifVersion });
  return record.version;
}

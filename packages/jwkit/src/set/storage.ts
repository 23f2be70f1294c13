/**
 * Where sets (or any JSON document) are kept between runs. Every record carries a version, and
 * writes can be made conditional on it (optimistic concurrency): two writers that read the same
 * version cannot both succeed, the second gets `ERR_STORE_VERSION_CONFLICT` and re-reads.
 */

/** A JSON value as the stores keep it (stored as a copy; later changes to the input do not leak in). */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [member: string]: JSONValue };

export interface StoredRecord<T extends JSONValue = JSONValue> {
  readonly name: string;
  readonly value: T;
  /**
   * A positive integer, unique across the store's lifetime: a record deleted and written again
   * gets a new version, so a stale reader can never mistake it for the one it read.
   */
  readonly version: number;
}

export interface WriteOptions {
  /**
   * Write only if the record's current version is this one; `0` means "only if there is no
   * record". Omitted: write unconditionally. A mismatch throws `StoreError`
   * `ERR_STORE_VERSION_CONFLICT`.
   */
  ifVersion?: number;
}

export interface Storage<T extends JSONValue = JSONValue> {
  get(name: string): Promise<StoredRecord<T> | undefined>;
  /** Stores `value` (a copy) and returns the new record with its new version. */
  put(name: string, value: T, options?: WriteOptions): Promise<StoredRecord<T>>;
  /** Removes the record; `false` when there was none (and `ifVersion` was not given). */
  delete(name: string, options?: WriteOptions): Promise<boolean>;
  /** Records in name order, optionally only those whose name starts with `prefix`. */
  list(options?: { prefix?: string }): Promise<StoredRecord<T>[]>;
}

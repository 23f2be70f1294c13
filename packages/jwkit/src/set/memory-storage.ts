/** A `Storage` in process memory: for tests, single-process servers and caches. */

import {
  checkName,
  checkVersion,
  emptyState,
  getRecord,
  jsonCopy,
  listRecords,
  putRecord,
} from './record-map.js';
import type { JSONValue, Storage, StoredRecord, WriteOptions } from './storage.js';

export class MemoryStorage<T extends JSONValue = JSONValue> implements Storage<T> {
  #state = emptyState();

  async get(name: string): Promise<StoredRecord<T> | undefined> {
    checkName(name);
    return getRecord(this.#state, name) as StoredRecord<T> | undefined;
  }

  async put(name: string, value: T, options?: WriteOptions): Promise<StoredRecord<T>> {
    checkName(name);
    const copy = jsonCopy(value);
    checkVersion(this.#state, name, options);
    return putRecord(this.#state, name, copy) as StoredRecord<T>;
  }

  async delete(name: string, options?: WriteOptions): Promise<boolean> {
    checkName(name);
    checkVersion(this.#state, name, options);
    return this.#state.records.delete(name);
  }

  async list(options?: { prefix?: string }): Promise<StoredRecord<T>[]> {
    return listRecords(this.#state, options?.prefix) as StoredRecord<T>[];
  }
}

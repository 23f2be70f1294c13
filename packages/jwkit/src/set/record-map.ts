/**
 * The in-memory logic both stores share: a map of records, a store-wide version counter, and the
 * optimistic-concurrency check. The memory store keeps one forever; the file store rebuilds one
 * from disk for each operation.
 */

import { StoreError } from '../errors/index.js';
import type { JSONValue, StoredRecord, WriteOptions } from './storage.js';

export interface RecordMapState {
  counter: number;
  records: Map<string, { value: JSONValue; version: number }>;
}

export function emptyState(): RecordMapState {
  return { counter: 0, records: new Map() };
}

/** A deep copy that also proves the value is JSON (no functions, cycles, undefined, NaN). */
export function jsonCopy(value: unknown): JSONValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new TypeError('non-finite number');
      return v;
    });
  } catch (cause) {
    throw new StoreError(
      'ERR_STORE_VALUE',
      'stored values must be JSON (no cycles, BigInt or non-finite numbers)',
      {
        cause,
      },
    );
  }
  if (text === undefined)
    throw new StoreError('ERR_STORE_VALUE', 'stored values must be JSON, not undefined or a function');
  return JSON.parse(text) as JSONValue;
}

export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new StoreError('ERR_STORE_NAME', 'a record name must be a non-empty string');
  }
}

export function checkVersion(state: RecordMapState, name: string, options: WriteOptions | undefined): void {
  const expected = options?.ifVersion;
  if (expected === undefined) return;
  const current = state.records.get(name)?.version ?? 0;
  if (current !== expected) {
    throw new StoreError(
      'ERR_STORE_VERSION_CONFLICT',
      `record ${JSON.stringify(name)} is at version ${current}, not ${expected}: another writer changed it; read it again and retry`,
    );
  }
}

export function putRecord(state: RecordMapState, name: string, value: JSONValue): StoredRecord {
  const version = ++state.counter;
  state.records.set(name, { value, version });
  return { name, value: jsonCopy(value), version };
}

export function listRecords(state: RecordMapState, prefix: string | undefined): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (const [name, r] of state.records) {
    if (prefix === undefined || name.startsWith(prefix))
      out.push({ name, value: jsonCopy(r.value), version: r.version });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function getRecord(state: RecordMapState, name: string): StoredRecord | undefined {
  const r = state.records.get(name);
  return r === undefined ? undefined : { name, value: jsonCopy(r.value), version: r.version };
}

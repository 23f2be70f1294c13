/**
 * A `Storage` in one JSON file (Node only; exported from the Node entry).
 *
 * Writes are atomic: the new content goes to a temporary file in the same directory, is flushed
 * to disk, and replaces the old file with `rename`, which POSIX makes atomic, so a reader (or a
 * crash) sees the old file or the new one, never half of one. Writers take a lock file (created
 * with O_EXCL), so processes sharing the file serialize their read-check-write cycles and the
 * version check is exact across processes, not only within one.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StoreError } from '../errors/index.js';
import {
  checkName,
  checkVersion,
  emptyState,
  getRecord,
  jsonCopy,
  listRecords,
  putRecord,
  type RecordMapState,
} from './record-map.js';
import type { JSONValue, Storage, StoredRecord, WriteOptions } from './storage.js';

const FORMAT = 'jwkit-storage/1';

export interface FileStorageOptions {
  /** How long a writer waits for another writer's lock, in ms. Default 5000. */
  lockTimeout?: number;
  /** A lock file older than this (ms) is left over from a crashed writer and is removed. Default 30000. */
  staleLockAfter?: number;
  /** File mode of the data file; it may hold private keys. Default 0o600. */
  mode?: number;
}

export class FileStorage<T extends JSONValue = JSONValue> implements Storage<T> {
  readonly path: string;
  #lockPath: string;
  #options: Required<FileStorageOptions>;
  /** Serializes this process's writers so they do not spin on their own lock file. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, options: FileStorageOptions = {}) {
    this.path = path;
    this.#lockPath = `${path}.lock`;
    this.#options = { lockTimeout: 5000, staleLockAfter: 30_000, mode: 0o600, ...options };
  }

  async get(name: string): Promise<StoredRecord<T> | undefined> {
    checkName(name);
    return getRecord(await this.#read(), name) as StoredRecord<T> | undefined;
  }

  async list(options?: { prefix?: string }): Promise<StoredRecord<T>[]> {
    return listRecords(await this.#read(), options?.prefix) as StoredRecord<T>[];
  }

  async put(name: string, value: T, options?: WriteOptions): Promise<StoredRecord<T>> {
    checkName(name);
    const copy = jsonCopy(value);
    return this.#mutate((state) => {
      checkVersion(state, name, options);
      return putRecord(state, name, copy) as StoredRecord<T>;
    });
  }

  async delete(name: string, options?: WriteOptions): Promise<boolean> {
    checkName(name);
    return this.#mutate((state) => {
      checkVersion(state, name, options);
      return state.records.delete(name);
    });
  }

  #mutate<R>(change: (state: RecordMapState) => R): Promise<R> {
    const run = this.#queue.then(async () => {
      await this.#lock();
      try {
        const state = await this.#read();
        const result = change(state);
        await this.#write(state);
        return result;
      } finally {
        await unlink(this.#lockPath).catch(() => undefined);
      }
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #read(): Promise<RecordMapState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw ioError('read', this.path, error);
    }
    return parseState(text, this.path);
  }

  async #write(state: RecordMapState): Promise<void> {
    const records = [...state.records].map(([name, r]) => ({ name, version: r.version, value: r.value }));
    const body = `${JSON.stringify({ format: FORMAT, counter: state.counter, records }, null, 2)}\n`;
    const tmp = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      const file = await open(tmp, 'wx', this.#options.mode);
      try {
        await file.writeFile(body, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.path);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw ioError('write', this.path, error);
    }
    // Make the rename itself durable; not every platform can open a directory, so best effort.
    const dir = await open(dirname(this.path), 'r').catch(() => undefined);
    if (dir !== undefined) {
      await dir.sync().catch(() => undefined);
      await dir.close();
    }
  }

  async #lock(): Promise<void> {
    const deadline = Date.now() + this.#options.lockTimeout;
    await mkdir(dirname(this.path), { recursive: true }).catch((error: unknown) => {
      throw ioError('create the directory of', this.path, error);
    });
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        const file = await open(this.#lockPath, 'wx', 0o600);
        await file.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
        await file.close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('lock', this.path, error);
      }
      const info = await stat(this.#lockPath).catch(() => undefined);
      if (info !== undefined && Date.now() - info.mtimeMs > this.#options.staleLockAfter) {
        await unlink(this.#lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new StoreError(
          'ERR_STORE_LOCKED',
          `${this.#lockPath} is held by another writer for more than ${this.#options.lockTimeout} ms; if no writer is running, delete it`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function parseState(text: string, path: string): RecordMapState {
  const corrupt = (why: string, cause?: unknown) =>
    new StoreError(
      'ERR_STORE_CORRUPT',
      `${path} is not a jwkit storage file (${why}); restore it from a backup`,
      {
        cause,
      },
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw corrupt('invalid JSON', cause);
  }
  const d = doc as { format?: unknown; counter?: unknown; records?: unknown };
  if (d === null || typeof d !== 'object' || d.format !== FORMAT)
    throw corrupt(`"format" is not "${FORMAT}"`);
  if (!Number.isSafeInteger(d.counter) || !Array.isArray(d.records))
    throw corrupt('bad "counter" or "records"');
  const state: RecordMapState = { counter: d.counter as number, records: new Map() };
  for (const r of d.records as { name?: unknown; version?: unknown; value?: unknown }[]) {
    if (typeof r?.name !== 'string' || !Number.isSafeInteger(r.version) || r.value === undefined) {
      throw corrupt('a record lacks name, version or value');
    }
    state.records.set(r.name, { value: r.value as JSONValue, version: r.version as number });
  }
  return state;
}

function ioError(action: string, path: string, cause: unknown): StoreError {
  return new StoreError(
    'ERR_STORE_IO',
    `could not ${action} ${path}: ${(cause as Error)?.message ?? String(cause)}`,
    {
      cause,
    },
  );
}

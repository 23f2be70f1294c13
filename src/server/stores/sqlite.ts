/**
 * The embedded default store: one SQLite file (better-sqlite3), in WAL mode so that readers never
 * wait for the writer, with `synchronous = FULL` so that a committed rotation survives a power
 * loss and not only a crash (a key that signed a token must never be lost).
 */

import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../errors.js';
import { type KeyRow, keyToValues, rowToKey, upsertSQL } from './rows.js';
import type { KeyStore, Mutation, Snapshot } from './store.js';
import { upsertOrder } from './store.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jwkit_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  schema_version INTEGER NOT NULL,
  version INTEGER NOT NULL,
  key_check TEXT
);
INSERT OR IGNORE INTO jwkit_meta (id, schema_version, version, key_check) VALUES (1, ${SCHEMA_VERSION}, 0, NULL);
CREATE TABLE IF NOT EXISTS jwkit_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  kty TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired', 'revoked')),
  public_jwk TEXT,
  sealed_private TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  activates_at INTEGER NOT NULL,
  retires_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  origin TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS jwkit_one_current_per_alg ON jwkit_keys (alg) WHERE state = 'current';
`;

export interface SQLiteStoreOptions {
  /** How long a writer waits for another process's write lock, in ms. Default 5000. */
  busyTimeout?: number;
}

/** Opens (creating when missing) the SQLite store at `path` (`:memory:` for a private one). */
export function openSQLiteStore(path: string, options: SQLiteStoreOptions = {}): KeyStore {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create the file 0600 before SQLite does: its -wal and -shm files copy the file's mode.
    closeSync(openSync(path, 'a', 0o600));
  }
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: options.busyTimeout ?? 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.transaction(() => db.exec(SCHEMA)).immediate();
  } catch (cause) {
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      `cannot open the SQLite store ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const meta = db
    .prepare<[], { schema_version: number }>('SELECT schema_version FROM jwkit_meta WHERE id = 1')
    .get();
  if (meta && meta.schema_version > SCHEMA_VERSION) {
    db.close();
    throw new StoreError(
      'ERR_STORE_SCHEMA',
      `the SQLite store ${path} has schema version ${meta.schema_version}, newer than this jwkit understands (${SCHEMA_VERSION}); upgrade jwkit`,
    );
  }

  const selectMeta = db.prepare<[], { version: number; key_check: string | null }>(
    'SELECT version, key_check FROM jwkit_meta WHERE id = 1',
  );
  const selectVersion = db.prepare<[], { version: number }>('SELECT version FROM jwkit_meta WHERE id = 1');
  const selectKeys = db.prepare<[], KeyRow>('SELECT * FROM jwkit_keys ORDER BY created_at, kid');
  const bump = db.prepare<[number]>(
    'UPDATE jwkit_meta SET version = version + 1 WHERE id = 1 AND version = ?',
  );
  const setCheck = db.prepare<[string]>(
    'UPDATE jwkit_meta SET key_check = ? WHERE id = 1 AND key_check IS NULL',
  );
  const upsert = db.prepare<(string | number | null)[]>(upsertSQL('jwkit_keys', () => '?'));
  const remove = db.prepare<[string]>('DELETE FROM jwkit_keys WHERE kid = ?');

  const load = db.transaction((): Snapshot => {
    const m = selectMeta.get();
    return { version: m?.version ?? 0, keyCheck: m?.key_check ?? null, keys: selectKeys.all().map(rowToKey) };
  });
  const commit = db.transaction((expected: number, mutation: Mutation): boolean => {
    if (bump.run(expected).changes !== 1) return false;
    if (mutation.keyCheck !== undefined) setCheck.run(mutation.keyCheck);
    for (const kid of mutation.remove) remove.run(kid);
    for (const key of upsertOrder(mutation.upsert)) upsert.run(...keyToValues(key));
    return true;
  });

  let closed = false;
  const guard = <T>(what: string, fn: () => T): Promise<T> => {
    if (closed) return Promise.reject(new StoreError('ERR_STORE_CLOSED', 'the store is closed'));
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      return Promise.reject(
        cause instanceof StoreError
          ? cause
          : new StoreError('ERR_STORE_UNAVAILABLE', `SQLite ${what} failed: ${(cause as Error).message}`, {
              cause,
            }),
      );
    }
  };

  return {
    kind: 'sqlite',
    description: `sqlite:${path}`,
    load: () => guard('load', () => load()),
    version: () => guard('version', () => selectVersion.get()?.version ?? 0),
    // IMMEDIATE takes the write lock up front, so two processes never both read-then-write.
    commit: (expected, mutation) => guard('commit', () => commit.immediate(expected, mutation)),
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

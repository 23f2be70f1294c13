/**
 * The embedded default store: one SQLite file (node:sqlite, built into Node 22.13+ and 24: no
 * native build), in WAL mode so that readers never wait for the writer, with `synchronous = FULL`
 * so that a committed rotation survives a power loss and not only a crash (a key that signed a
 * token must never be lost).
 */

import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from 'jwkit';
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
  let db: DatabaseSync;
  try {
    db = new (sqliteModule().DatabaseSync)(path);
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeout ?? 5000)}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    immediate(db, () => db.exec(SCHEMA));
  } catch (cause) {
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      `cannot open the SQLite store ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const meta = db.prepare('SELECT schema_version FROM jwkit_meta WHERE id = 1').get() as
    | { schema_version: number }
    | undefined;
  if (meta && meta.schema_version > SCHEMA_VERSION) {
    db.close();
    throw new StoreError(
      'ERR_STORE_SCHEMA',
      `the SQLite store ${path} has schema version ${meta.schema_version}, newer than this jwkit understands (${SCHEMA_VERSION}); upgrade jwkit`,
    );
  }

  const selectMeta = db.prepare('SELECT version, key_check FROM jwkit_meta WHERE id = 1');
  const selectVersion = db.prepare('SELECT version FROM jwkit_meta WHERE id = 1');
  const selectKeys = db.prepare('SELECT * FROM jwkit_keys ORDER BY created_at, kid');
  const bump = db.prepare('UPDATE jwkit_meta SET version = version + 1 WHERE id = 1 AND version = ?');
  const setCheck = db.prepare('UPDATE jwkit_meta SET key_check = ? WHERE id = 1 AND key_check IS NULL');
  const upsert: StatementSync = db.prepare(upsertSQL('jwkit_keys', () => '?'));
  const remove = db.prepare('DELETE FROM jwkit_keys WHERE kid = ?');

  // A deferred transaction: one consistent read of the meta row and the keys.
  const load = (): Snapshot => {
    db.exec('BEGIN');
    try {
      const m = selectMeta.get() as { version: number; key_check: string | null } | undefined;
      const keys = (selectKeys.all() as unknown as KeyRow[]).map(rowToKey);
      db.exec('COMMIT');
      return { version: m?.version ?? 0, keyCheck: m?.key_check ?? null, keys };
    } catch (cause) {
      rollback(db);
      throw cause;
    }
  };
  const commit = (expected: number, mutation: Mutation): boolean =>
    immediate(db, () => {
      if (Number(bump.run(expected).changes) !== 1) return false;
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
    version: () =>
      guard('version', () => (selectVersion.get() as { version: number } | undefined)?.version ?? 0),
    commit: (expected, mutation) => guard('commit', () => commit(expected, mutation)),
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/**
 * node:sqlite, loaded when a SQLite store is opened (not when the server module is imported), so a
 * PostgreSQL-only deployment does not need it and an old Node gets a clear error.
 */
function sqliteModule(): typeof import('node:sqlite') {
  const mod = process.getBuiltinModule?.('node:sqlite') as typeof import('node:sqlite') | undefined;
  if (mod === undefined) {
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      `the SQLite store needs node:sqlite (Node.js 22.13 or newer); this is Node.js ${process.versions.node}`,
    );
  }
  return mod;
}

/** BEGIN IMMEDIATE takes the write lock up front, so two processes never both read-then-write. */
function immediate<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (cause) {
    rollback(db);
    throw cause;
  }
}

function rollback(db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // No transaction was open (SQLite already rolled back), or the connection is unusable; the
    // caller's error says why.
  }
}

/**
 * The embedded default store: one SQLite file (node:sqlite, built into Node 22.13+ and 24: no
 * native build), in WAL mode so that readers never wait for the writer, with `synchronous = FULL`
 * so that a committed rotation survives a power loss and not only a crash (a key that signed a
 * token must never be lost).
 *
 * The store knows what it is: the file's device and inode and the random store id in the meta
 * row are recorded when it is opened, and every later call checks them, so a file deleted or
 * replaced under a running server is reported (ERR_STORE_MISSING / ERR_STORE_REPLACED) instead of
 * being written to as an unlinked inode while a fresh file appears at the path (issue 13.3).
 */

import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from 'jwkit';
import { commitPause } from './fault.js';
import {
  AUDIT_COLUMNS,
  auditToValues,
  type KeyRow,
  keyToValues,
  rowToAudit,
  rowToKey,
  upsertSQL,
} from './rows.js';
import type {
  AuditEntry,
  AuditQuery,
  KeyStore,
  Mutation,
  NewAuditEntry,
  Snapshot,
  StoreIdentity,
} from './store.js';
import { upsertOrder } from './store.js';

/**
 * 1: keys and meta. 2: policy, store id and public binding columns, the audit table. 3: the
 * `custody` column (where a key's private half lives: null for a sealed software key, a PKCS#11
 * object's identity otherwise), and `sealed_private` may be null (a key held in a token has no
 * private material in the store).
 */
export const SQLITE_SCHEMA_VERSION = 3;

const keysTable = (name: string) => `
CREATE TABLE ${name} (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  kty TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired', 'revoked')),
  public_jwk TEXT,
  sealed_private TEXT,
  created_at INTEGER NOT NULL,
  activates_at INTEGER NOT NULL,
  retires_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  origin TEXT NOT NULL,
  public_mac TEXT,
  custody TEXT,
  CHECK (sealed_private IS NOT NULL OR custody IS NOT NULL)
);
`;
const CURRENT_INDEX =
  "CREATE UNIQUE INDEX jwkit_one_current_per_alg ON jwkit_keys (alg) WHERE state = 'current';";
const KEYS_TABLE = `${keysTable('jwkit_keys')}${CURRENT_INDEX}\n`;

/** The schema-2 columns, copied as they are by the 2 -> 3 migration. */
const V2_KEY_COLUMNS =
  'kid, alg, kty, state, public_jwk, sealed_private, created_at, activates_at, retires_at, expires_at, revoked_at, origin, public_mac';

const AUDIT_TABLE = `
CREATE TABLE IF NOT EXISTS jwkit_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  event TEXT NOT NULL,
  kid TEXT,
  alg TEXT,
  detail TEXT,
  writer TEXT
);
`;

export interface SQLiteStoreOptions {
  /** How long a writer waits for another process's write lock, in ms. Default 5000. */
  busyTimeout?: number;
  /** Create the file and tables when missing. Default true; false: ERR_STORE_MISSING instead. */
  create?: boolean;
  /** Open read-only: never creates, migrates or writes anything (`jwkit keys list`). Default false. */
  readOnly?: boolean;
}

function missing(path: string, why: string): StoreError {
  return new StoreError(
    'ERR_STORE_MISSING',
    `the SQLite store sqlite:${path} ${why}; check --store, or create a new store on purpose with \`jwkit keys init --store sqlite:${path}\` (or \`jwkit serve --init\`)`,
  );
}

/** Opens the SQLite store at `path` (`:memory:` for a private one), creating it unless told not to. */
export function openSQLiteStore(path: string, options: SQLiteStoreOptions = {}): KeyStore {
  const memory = path === ':memory:';
  const readOnly = options.readOnly === true && !memory;
  const create = !readOnly && options.create !== false;
  if (!memory) {
    if (!existsSync(path)) {
      if (!create) throw missing(path, 'does not exist');
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Create the file 0600 before SQLite does: its -wal and -shm files copy the file's mode.
      closeSync(openSync(path, 'a', 0o600));
    }
  }
  let db: DatabaseSync;
  let opened: DatabaseSync | undefined;
  let storeId: string;
  let schemaVersion: number;
  try {
    db = new (sqliteModule().DatabaseSync)(path, readOnly ? { readOnly: true } : {});
    opened = db;
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeout ?? 5000)}`);
    if (!readOnly) {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
    }
    const setup = () => {
      const hasMeta = db
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jwkit_meta'")
        .get();
      if (!hasMeta) {
        if (!create) throw missing(path, 'holds no jwkit tables');
        db.exec(`
          CREATE TABLE jwkit_meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            schema_version INTEGER NOT NULL,
            version INTEGER NOT NULL,
            key_check TEXT,
            store_id TEXT,
            policy TEXT
          );${KEYS_TABLE}${AUDIT_TABLE}`);
        db.prepare(
          'INSERT INTO jwkit_meta (id, schema_version, version, key_check, store_id, policy) VALUES (1, ?, 0, NULL, ?, NULL)',
        ).run(SQLITE_SCHEMA_VERSION, randomUUID());
      }
      const meta = db.prepare('SELECT * FROM jwkit_meta WHERE id = 1').get() as
        | { schema_version: number; store_id?: string | null }
        | undefined;
      if (!meta) throw missing(path, 'has no meta row');
      if (meta.schema_version > SQLITE_SCHEMA_VERSION) {
        throw new StoreError(
          'ERR_STORE_SCHEMA',
          `the SQLite store ${path} has schema version ${meta.schema_version}, newer than this jwkit understands (${SQLITE_SCHEMA_VERSION}); upgrade jwkit`,
        );
      }
      if (meta.schema_version < 2 && !readOnly) {
        // Schema 1 -> 2: additive only, in the same IMMEDIATE transaction as the check above.
        db.exec(`
          ALTER TABLE jwkit_meta ADD COLUMN store_id TEXT;
          ALTER TABLE jwkit_meta ADD COLUMN policy TEXT;
          ALTER TABLE jwkit_keys ADD COLUMN public_mac TEXT;${AUDIT_TABLE}`);
        db.prepare('UPDATE jwkit_meta SET schema_version = 2, store_id = ? WHERE id = 1').run(randomUUID());
        meta.schema_version = 2;
      }
      if (meta.schema_version < 3 && !readOnly) {
        // Schema 2 -> 3: SQLite cannot drop a NOT NULL constraint in place, so the keys table is
        // rebuilt (the documented ALTER TABLE procedure, sqlite.org/lang_altertable.html §7),
        // rows copied as they are, in the same IMMEDIATE transaction: all or nothing.
        db.exec(`${keysTable('jwkit_keys_v3')}
          INSERT INTO jwkit_keys_v3 (${V2_KEY_COLUMNS}, custody) SELECT ${V2_KEY_COLUMNS}, NULL FROM jwkit_keys;
          DROP TABLE jwkit_keys;
          ALTER TABLE jwkit_keys_v3 RENAME TO jwkit_keys;
          ${CURRENT_INDEX}`);
        db.prepare('UPDATE jwkit_meta SET schema_version = 3 WHERE id = 1').run();
        meta.schema_version = 3;
      }
      const id = db.prepare('SELECT * FROM jwkit_meta WHERE id = 1').get() as { store_id?: string | null };
      storeId = id.store_id ?? `schema-1:${path}`;
      schemaVersion = meta.schema_version;
    };
    if (readOnly) setup();
    else immediate(db, setup);
  } catch (cause) {
    try {
      opened?.close();
    } catch {
      // the open error below says what went wrong
    }
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      `cannot open the SQLite store ${path}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const fileStat = memory ? undefined : statSync(path);
  const identity: StoreIdentity = {
    id: storeId!,
    ...(fileStat ? { file: { dev: Number(fileStat.dev), ino: Number(fileStat.ino) } } : {}),
  };
  const v2 = schemaVersion! >= 2;

  const selectMeta = db.prepare('SELECT * FROM jwkit_meta WHERE id = 1');
  const selectKeys = db.prepare('SELECT * FROM jwkit_keys ORDER BY created_at, kid');
  let bump: StatementSync | undefined;
  let setCheck: StatementSync | undefined;
  let replaceCheck: StatementSync | undefined;
  let setPolicy: StatementSync | undefined;
  let upsert: StatementSync | undefined;
  let remove: StatementSync | undefined;
  let insertAudit: StatementSync | undefined;
  if (!readOnly) {
    bump = db.prepare('UPDATE jwkit_meta SET version = version + 1 WHERE id = 1 AND version = ?');
    setCheck = db.prepare('UPDATE jwkit_meta SET key_check = ? WHERE id = 1 AND key_check IS NULL');
    replaceCheck = db.prepare('UPDATE jwkit_meta SET key_check = ? WHERE id = 1');
    setPolicy = db.prepare('UPDATE jwkit_meta SET policy = ? WHERE id = 1');
    upsert = db.prepare(upsertSQL('jwkit_keys', () => '?'));
    remove = db.prepare('DELETE FROM jwkit_keys WHERE kid = ?');
    insertAudit = db.prepare(
      `INSERT INTO jwkit_audit (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map(() => '?').join(', ')})`,
    );
  }

  /** Throws when the file at `path` is no longer the one opened, or the meta row changed identity. */
  const checkIdentity = (meta?: { store_id?: string | null }): void => {
    if (identity.file) {
      const now = statSync(path, { throwIfNoEntry: false });
      if (!now) throw missingNow();
      if (Number(now.ino) !== identity.file.ino || Number(now.dev) !== identity.file.dev) throw replacedNow();
    }
    if (meta && v2 && (meta.store_id ?? null) !== identity.id) throw replacedNow();
  };
  const missingNow = () =>
    new StoreError(
      'ERR_STORE_MISSING',
      `the SQLite store sqlite:${path} was deleted while this process had it open; restore it from a backup (jwkit keys restore) and restart`,
    );
  const replacedNow = () =>
    new StoreError(
      'ERR_STORE_REPLACED',
      `the SQLite store sqlite:${path} was replaced by another file while this process had it open (store id ${identity.id}); restart to use the new file`,
    );

  const readMeta = () =>
    selectMeta.get() as {
      version: number;
      key_check: string | null;
      store_id?: string | null;
      policy?: string | null;
    };

  // A deferred transaction: one consistent read of the meta row and the keys.
  const load = (): Snapshot => {
    checkIdentity();
    db.exec('BEGIN');
    try {
      const m = readMeta();
      checkIdentity(m);
      const keys = (selectKeys.all() as unknown as KeyRow[]).map(rowToKey);
      db.exec('COMMIT');
      return { version: m?.version ?? 0, keyCheck: m?.key_check ?? null, policy: m?.policy ?? null, keys };
    } catch (cause) {
      rollback(db);
      throw cause;
    }
  };
  const commit = (expected: number, mutation: Mutation): boolean => {
    if (readOnly || !bump) {
      throw new StoreError('ERR_STORE_READ_ONLY', `the store sqlite:${path} was opened read-only`);
    }
    checkIdentity();
    return immediate(db, () => {
      checkIdentity(readMeta());
      if (Number(bump!.run(expected).changes) !== 1) return false;
      if (mutation.keyCheck !== undefined) setCheck!.run(mutation.keyCheck);
      if (mutation.replaceKeyCheck !== undefined) replaceCheck!.run(mutation.replaceKeyCheck);
      if (mutation.policy !== undefined) setPolicy!.run(mutation.policy);
      for (const kid of mutation.remove) remove!.run(kid);
      const ordered = upsertOrder(mutation.upsert);
      ordered.forEach((key, i) => {
        if (i === Math.floor(ordered.length / 2)) commitPause();
        upsert!.run(...keyToValues(key));
      });
      for (const e of mutation.audit ?? []) insertAudit!.run(...auditToValues(e));
      return true;
    });
  };

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
    readOnly,
    identity: () => identity,
    load: () => guard('load', () => load()),
    version: () =>
      guard('version', () => {
        checkIdentity();
        const m = readMeta();
        checkIdentity(m);
        return m?.version ?? 0;
      }),
    commit: (expected, mutation) => guard('commit', () => commit(expected, mutation)),
    audit: (query: AuditQuery = {}) =>
      guard('audit', (): AuditEntry[] => {
        checkIdentity();
        if (!v2) return [];
        const limit = Math.max(1, Math.min(query.limit ?? 1000, 100_000));
        const where = ['id > ?'];
        const params: (string | number)[] = [query.after ?? 0];
        if (query.kid !== undefined) {
          where.push('kid = ?');
          params.push(query.kid);
        }
        // Without `after`, the newest `limit` entries (then oldest first).
        const sql =
          query.after === undefined
            ? `SELECT * FROM (SELECT * FROM jwkit_audit WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?) ORDER BY id`
            : `SELECT * FROM jwkit_audit WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`;
        return (db.prepare(sql).all(...params, limit) as Record<string, unknown>[]).map(rowToAudit);
      }),
    appendAudit: (entries: readonly NewAuditEntry[]) =>
      guard('audit append', () => {
        if (!insertAudit)
          throw new StoreError('ERR_STORE_READ_ONLY', `the store sqlite:${path} was opened read-only`);
        checkIdentity();
        immediate(db, () => {
          for (const e of entries) insertAudit!.run(...auditToValues(e));
        });
      }),
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

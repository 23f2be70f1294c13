/**
 * The store for several replicas: PostgreSQL (pg 8). The version row is the compare-and-set
 * point: `UPDATE ... SET version = version + 1 WHERE version = $expected` takes the row lock, so a
 * second replica committing at the same moment waits, then re-checks the condition against the
 * committed row (READ COMMITTED re-evaluation) and updates nothing. Exactly one of them rotates.
 *
 * Each commit also sends `NOTIFY jwkit_keys, '<schema>'` (delivered at COMMIT), so the other
 * replicas reload at once; polling `version()` is the fallback bound when a notification is lost.
 */

import { randomUUID } from 'node:crypto';
import { StoreError } from 'jwkit';
import type pgTypes from 'pg';
import { commitPauseAsync } from './fault.js';
import {
  AUDIT_COLUMNS,
  auditToValues,
  type KeyRow,
  keyToValues,
  rowToAudit,
  rowToKey,
  upsertSQL,
} from './rows.js';
import type { AuditQuery, KeyStore, Mutation, NewAuditEntry, Snapshot, StoreIdentity } from './store.js';
import { upsertOrder } from './store.js';

/** 1: keys and meta. 2: policy, store id and public binding columns, the audit table. */
/** 1: keys and meta. 2: policy, store id, public_mac, audit. 3: `custody`, nullable `sealed_private` (see sqlite.ts). */
const SCHEMA_VERSION = 3;
const CHANNEL = 'jwkit_keys';

export interface PostgresStoreOptions {
  /** The schema holding jwkit's tables; created when missing. Default `public`. */
  schema?: string;
  /** Pool size. Default 4. */
  maxConnections?: number;
  /** Connect and query timeout in ms, so an unreachable database is reported, not waited on. Default 5000. */
  timeout?: number;
  /** Create the schema and tables when missing. Default true; false: ERR_STORE_MISSING instead. */
  create?: boolean;
  /**
   * Read-only: no schema setup or migration, every transaction READ ONLY (the session default
   * `default_transaction_read_only`), so `jwkit keys list` cannot change the database (issue 13.16).
   */
  readOnly?: boolean;
}

/**
 * `pg` is an optional peer dependency: only PostgreSQL users install it, and it is loaded when a
 * postgres:// store is opened, with an error that names the package when it is missing.
 */
async function loadPg(): Promise<typeof pgTypes> {
  try {
    return ((await import('pg')) as { default: typeof pgTypes }).default;
  } catch (cause) {
    if ((cause as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw cause;
    throw new StoreError(
      'ERR_STORE_DRIVER_MISSING',
      'a postgres:// store needs the pg package: install it next to jwkit (npm install pg, or npm install -g pg for a global jwkit)',
      { cause },
    );
  }
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<KeyStore> {
  const pg = await loadPg();
  const parsed = new URL(url);
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  const connectionString = parsed.toString();
  const timeout = options.timeout ?? 5000;
  const config: pgTypes.PoolConfig = {
    connectionString,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: timeout,
    query_timeout: timeout,
    idleTimeoutMillis: 30_000,
    application_name: 'jwkit',
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  };
  const readOnly = options.readOnly === true;
  const create = !readOnly && options.create !== false;
  const pool = new pg.Pool(config);
  // An idle client dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const q = quoteIdent(schema);
  const keys = `${q}.jwkit_keys`;
  const meta = `${q}.jwkit_meta`;
  const audit = `${q}.jwkit_audit`;
  const description = redact(parsed, schema);

  const fail = (what: string, cause: unknown): StoreError => {
    if (cause instanceof StoreError) return cause;
    // SQLSTATE class 23 (integrity constraint violation): the data, not the database, is wrong.
    const code = String((cause as { code?: unknown }).code ?? '');
    const integrity = code.startsWith('23');
    // 42P01 undefined_table, 3F000 invalid_schema_name: the tables went away under us.
    if (code === '42P01' || code === '3F000') {
      return new StoreError(
        'ERR_STORE_MISSING',
        `the PostgreSQL store ${description} no longer exists (its tables were dropped); restore it from a backup (jwkit keys restore) and restart`,
        { cause },
      );
    }
    return new StoreError(
      integrity ? 'ERR_STORE_INTEGRITY' : 'ERR_STORE_UNAVAILABLE',
      `PostgreSQL ${what} failed (${description}): ${(cause as Error).message}`,
      { cause },
    );
  };

  const transaction = async <T>(what: string, fn: (c: pgTypes.PoolClient) => Promise<T>): Promise<T> => {
    let client: pgTypes.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw fail(what, e);
    }
    let broken: unknown;
    // A connection that dies while checked out but between queries emits 'error' on the client
    // itself (the pool listens only to idle clients); unhandled, that would crash the process.
    // The next query on it fails and reports the outage as ERR_STORE_UNAVAILABLE.
    const onError = (e: unknown) => {
      broken ??= e;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      broken = e;
      await client.query('ROLLBACK').catch(() => {});
      throw fail(what, e);
    } finally {
      // A client that failed mid-transaction is destroyed rather than reused.
      client.off('error', onError);
      client.release(broken === undefined ? undefined : true);
    }
  };

  const missingError = () =>
    new StoreError(
      'ERR_STORE_MISSING',
      `the PostgreSQL store ${description} holds no jwkit tables; check --store and --schema, or create a new store on purpose with \`jwkit keys init\` (or \`jwkit serve --init\`)`,
    );
  const setup = async (c: pgTypes.PoolClient): Promise<{ id: string; schemaVersion: number }> => {
    const exists = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [meta]);
    if (exists.rows[0]?.t === null || exists.rows[0]?.t === undefined) {
      if (!create) throw missingError();
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${meta} (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        schema_version INTEGER NOT NULL,
        version BIGINT NOT NULL,
        key_check TEXT,
        store_id TEXT,
        policy TEXT)`);
      await c.query(
        `INSERT INTO ${meta} (id, schema_version, version, store_id) VALUES (1, $1, 0, $2) ON CONFLICT (id) DO NOTHING`,
        [SCHEMA_VERSION, randomUUID()],
      );
      await c.query(`CREATE TABLE IF NOT EXISTS ${keys} (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        kty TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired', 'revoked')),
        public_jwk TEXT,
        sealed_private TEXT,
        created_at BIGINT NOT NULL,
        activates_at BIGINT NOT NULL,
        retires_at BIGINT NOT NULL,
        expires_at BIGINT,
        revoked_at BIGINT,
        origin TEXT NOT NULL,
        public_mac TEXT,
        custody TEXT,
        CHECK (sealed_private IS NOT NULL OR custody IS NOT NULL))`);
      await c.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS jwkit_one_current_per_alg ON ${keys} (alg) WHERE state = 'current'`,
      );
    }
    const r = await c.query<Record<string, unknown>>(`SELECT * FROM ${meta} WHERE id = 1`);
    const row = r.rows[0];
    if (!row) throw missingError();
    let found = Number(row.schema_version);
    if (found > SCHEMA_VERSION) {
      throw new StoreError(
        'ERR_STORE_SCHEMA',
        `the PostgreSQL store ${description} has schema version ${found}, newer than this jwkit understands (${SCHEMA_VERSION}); upgrade jwkit`,
      );
    }
    if (found < 2 && !readOnly) {
      // Schema 1 -> 2: additive only, inside the setup transaction (under the advisory lock).
      await c.query(
        `ALTER TABLE ${meta} ADD COLUMN IF NOT EXISTS store_id TEXT, ADD COLUMN IF NOT EXISTS policy TEXT`,
      );
      await c.query(`ALTER TABLE ${keys} ADD COLUMN IF NOT EXISTS public_mac TEXT`);
      await c.query(`UPDATE ${meta} SET schema_version = 2, store_id = COALESCE(store_id, $1) WHERE id = 1`, [
        randomUUID(),
      ]);
      found = 2;
    }
    if (found < 3 && !readOnly) {
      // Schema 2 -> 3: a key held in a PKCS#11 token has no sealed private key, only its custody.
      await c.query(`ALTER TABLE ${keys} ADD COLUMN IF NOT EXISTS custody TEXT`);
      await c.query(`ALTER TABLE ${keys} ALTER COLUMN sealed_private DROP NOT NULL`);
      await c.query(
        `ALTER TABLE ${keys} ADD CONSTRAINT jwkit_keys_private_or_custody CHECK (sealed_private IS NOT NULL OR custody IS NOT NULL)`,
      );
      await c.query(`UPDATE ${meta} SET schema_version = 3 WHERE id = 1`);
      found = 3;
    }
    if (found >= 2 && !readOnly) {
      await c.query(`CREATE TABLE IF NOT EXISTS ${audit} (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        event TEXT NOT NULL,
        kid TEXT,
        alg TEXT,
        detail TEXT,
        writer TEXT)`);
    }
    const id = await c.query<{ store_id: string | null }>(`SELECT * FROM ${meta} WHERE id = 1`);
    return { id: id.rows[0]?.store_id ?? `schema-1:${description}`, schemaVersion: found };
  };

  let opened: { id: string; schemaVersion: number };
  try {
    opened = await transaction('schema setup', async (c) => {
      // Replicas starting together would race on CREATE TABLE IF NOT EXISTS (it is not atomic in
      // PostgreSQL); a transaction-scoped advisory lock serialises the setup.
      if (!readOnly) await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`jwkit schema ${schema}`]);
      return setup(c);
    });
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  const identity: StoreIdentity = { id: opened.id };
  const v2 = opened.schemaVersion >= 2;
  const replaced = () =>
    new StoreError(
      'ERR_STORE_REPLACED',
      `the PostgreSQL store ${description} was replaced while this process had it open (store id ${identity.id} is gone); restart to use the new store`,
    );
  const checkId = (row: { store_id?: string | null } | undefined) => {
    if (!row) throw missingError();
    if (v2 && (row.store_id ?? null) !== identity.id) throw replaced();
  };
  const readOnlyError = () =>
    new StoreError('ERR_STORE_READ_ONLY', `the store ${description} was opened read-only`);

  const upsert = upsertSQL(keys, (i) => `$${i}`);
  const insertAudit = `INSERT INTO ${audit} (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
  const listeners = new Set<() => void>();
  let listener: pgTypes.Client | undefined;
  let listenRetry: NodeJS.Timeout | undefined;
  let closed = false;

  const listen = async (): Promise<void> => {
    if (closed || listener || listeners.size === 0) return;
    const client = new pg.Client({
      connectionString,
      connectionTimeoutMillis: timeout,
      application_name: 'jwkit-listen',
    });
    listener = client;
    const reconnect = () => {
      if (listener !== client) return;
      listener = undefined;
      client.end().catch(() => {});
      // A lost LISTEN connection is retried; meanwhile the manager's poll bounds the delay.
      if (!closed && !listenRetry) {
        listenRetry = setTimeout(() => {
          listenRetry = undefined;
          void listen();
        }, 2000);
        listenRetry.unref();
      }
    };
    client.on('error', reconnect);
    client.on('end', reconnect);
    client.on('notification', (n) => {
      if (n.channel === CHANNEL && n.payload === schema) for (const l of listeners) l();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      reconnect();
    }
  };

  return {
    kind: 'postgres',
    description,
    readOnly,
    identity: () => identity,
    async audit(query: AuditQuery = {}) {
      if (!v2) return [];
      const limit = Math.max(1, Math.min(query.limit ?? 1000, 100_000));
      const where = ['id > $1'];
      const params: (string | number)[] = [query.after ?? 0];
      if (query.kid !== undefined) {
        params.push(query.kid);
        where.push(`kid = $${params.length}`);
      }
      params.push(limit);
      const sql =
        query.after === undefined
          ? `SELECT * FROM (SELECT * FROM ${audit} WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}) a ORDER BY id`
          : `SELECT * FROM ${audit} WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.length}`;
      try {
        const r = await pool.query<Record<string, unknown>>(sql, params);
        return r.rows.map(rowToAudit);
      } catch (e) {
        throw fail('audit read', e);
      }
    },
    async appendAudit(entries: readonly NewAuditEntry[]) {
      if (readOnly) throw readOnlyError();
      await transaction('audit append', async (c) => {
        for (const e of entries) await c.query(insertAudit, auditToValues(e));
      });
    },
    async load(): Promise<Snapshot> {
      // REPEATABLE READ: the version and the keys come from one snapshot of the database.
      return transaction('load', async (c) => {
        await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const m = await c.query<{
          version: string;
          key_check: string | null;
          store_id?: string;
          policy?: string;
        }>(`SELECT * FROM ${meta} WHERE id = 1`);
        checkId(m.rows[0]);
        const k = await c.query<KeyRow>(`SELECT * FROM ${keys} ORDER BY created_at, kid`);
        return {
          version: Number(m.rows[0]?.version ?? 0),
          keyCheck: m.rows[0]?.key_check ?? null,
          policy: m.rows[0]?.policy ?? null,
          keys: k.rows.map(rowToKey),
        };
      });
    },
    async version() {
      try {
        const r = await pool.query<{ version: string; store_id?: string }>(
          `SELECT * FROM ${meta} WHERE id = 1`,
        );
        checkId(r.rows[0]);
        return Number(r.rows[0]?.version ?? 0);
      } catch (e) {
        throw fail('version check', e);
      }
    },
    async commit(expected: number, mutation: Mutation) {
      if (readOnly) throw readOnlyError();
      return transaction('commit', async (c) => {
        const id = await c.query<{ store_id?: string }>(`SELECT store_id FROM ${meta} WHERE id = 1`);
        checkId(id.rows[0]);
        const bumped = await c.query(
          `UPDATE ${meta} SET version = version + 1 WHERE id = 1 AND version = $1`,
          [expected],
        );
        if (bumped.rowCount !== 1) return false;
        if (mutation.keyCheck !== undefined) {
          await c.query(`UPDATE ${meta} SET key_check = $1 WHERE id = 1 AND key_check IS NULL`, [
            mutation.keyCheck,
          ]);
        }
        if (mutation.replaceKeyCheck !== undefined) {
          await c.query(`UPDATE ${meta} SET key_check = $1 WHERE id = 1`, [mutation.replaceKeyCheck]);
        }
        if (mutation.policy !== undefined) {
          await c.query(`UPDATE ${meta} SET policy = $1 WHERE id = 1`, [mutation.policy]);
        }
        if (mutation.remove.length > 0)
          await c.query(`DELETE FROM ${keys} WHERE kid = ANY($1)`, [mutation.remove]);
        const ordered = upsertOrder(mutation.upsert);
        for (const [i, key] of ordered.entries()) {
          if (i === Math.floor(ordered.length / 2)) await commitPauseAsync();
          await c.query(upsert, keyToValues(key));
        }
        for (const e of mutation.audit ?? []) await c.query(insertAudit, auditToValues(e));
        await c.query('SELECT pg_notify($1, $2)', [CHANNEL, schema]);
        return true;
      });
    },
    watch(fn) {
      listeners.add(fn);
      void listen();
      return () => {
        listeners.delete(fn);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      if (listenRetry) clearTimeout(listenRetry);
      const l = listener;
      listener = undefined;
      await Promise.all([l?.end().catch(() => {}), pool.end().catch(() => {})]);
    },
  };
}

/** A PostgreSQL identifier, quoted (`"a""b"`), so any schema name is safe in SQL text. */
export function quoteIdent(name: string): string {
  if (name === '' || name.includes('\0')) {
    throw new StoreError('ERR_STORE_CONFIG', `invalid PostgreSQL schema name ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

function redact(url: URL, schema: string): string {
  const u = new URL(url.toString());
  if (u.password) u.password = '***';
  return `${u.toString()}${schema === 'public' ? '' : ` (schema ${schema})`}`;
}

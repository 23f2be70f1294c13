/**
 * The store for several replicas: PostgreSQL (pg 8). The version row is the compare-and-set
 * point: `UPDATE ... SET version = version + 1 WHERE version = $expected` takes the row lock, so a
 * second replica committing at the same moment waits, then re-checks the condition against the
 * committed row (READ COMMITTED re-evaluation) and updates nothing. Exactly one of them rotates.
 *
 * Each commit also sends `NOTIFY jwkit_keys, '<schema>'` (delivered at COMMIT), so the other
 * replicas reload at once; polling `version()` is the fallback bound when a notification is lost.
 */

import { StoreError } from 'jwkit';
import pg from 'pg';
import { type KeyRow, keyToValues, rowToKey, upsertSQL } from './rows.js';
import type { KeyStore, Mutation, Snapshot } from './store.js';
import { upsertOrder } from './store.js';

const SCHEMA_VERSION = 1;
const CHANNEL = 'jwkit_keys';

export interface PostgresStoreOptions {
  /** The schema holding jwkit's tables; created when missing. Default `public`. */
  schema?: string;
  /** Pool size. Default 4. */
  maxConnections?: number;
  /** Connect and query timeout in ms, so an unreachable database is reported, not waited on. Default 5000. */
  timeout?: number;
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<KeyStore> {
  const parsed = new URL(url);
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? 'public';
  parsed.searchParams.delete('schema');
  const connectionString = parsed.toString();
  const timeout = options.timeout ?? 5000;
  const config: pg.PoolConfig = {
    connectionString,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: timeout,
    query_timeout: timeout,
    idleTimeoutMillis: 30_000,
    application_name: 'jwkit',
  };
  const pool = new pg.Pool(config);
  // An idle client dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const q = quoteIdent(schema);
  const keys = `${q}.jwkit_keys`;
  const meta = `${q}.jwkit_meta`;
  const description = redact(parsed, schema);

  const fail = (what: string, cause: unknown): StoreError => {
    if (cause instanceof StoreError) return cause;
    // SQLSTATE class 23 (integrity constraint violation): the data, not the database, is wrong.
    const integrity = String((cause as { code?: unknown }).code ?? '').startsWith('23');
    return new StoreError(
      integrity ? 'ERR_STORE_INTEGRITY' : 'ERR_STORE_UNAVAILABLE',
      `PostgreSQL ${what} failed (${description}): ${(cause as Error).message}`,
      { cause },
    );
  };

  const transaction = async <T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
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

  await transaction('schema setup', async (c) => {
    // Replicas starting together would race on CREATE TABLE IF NOT EXISTS (it is not atomic in
    // PostgreSQL); a transaction-scoped advisory lock serialises the setup.
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`jwkit schema ${schema}`]);
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${meta} (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      schema_version INTEGER NOT NULL,
      version BIGINT NOT NULL,
      key_check TEXT)`);
    await c.query(
      `INSERT INTO ${meta} (id, schema_version, version) VALUES (1, $1, 0) ON CONFLICT (id) DO NOTHING`,
      [SCHEMA_VERSION],
    );
    await c.query(`CREATE TABLE IF NOT EXISTS ${keys} (
      kid TEXT PRIMARY KEY,
      alg TEXT NOT NULL,
      kty TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired', 'revoked')),
      public_jwk TEXT,
      sealed_private TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      activates_at BIGINT NOT NULL,
      retires_at BIGINT NOT NULL,
      expires_at BIGINT,
      revoked_at BIGINT,
      origin TEXT NOT NULL)`);
    await c.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS jwkit_one_current_per_alg ON ${keys} (alg) WHERE state = 'current'`,
    );
    const r = await c.query<{ schema_version: number }>(`SELECT schema_version FROM ${meta} WHERE id = 1`);
    const found = r.rows[0]?.schema_version ?? SCHEMA_VERSION;
    if (found > SCHEMA_VERSION) {
      throw new StoreError(
        'ERR_STORE_SCHEMA',
        `the PostgreSQL store ${description} has schema version ${found}, newer than this jwkit understands (${SCHEMA_VERSION}); upgrade jwkit`,
      );
    }
  }).catch(async (e) => {
    await pool.end().catch(() => {});
    throw e;
  });

  const upsert = upsertSQL(keys, (i) => `$${i}`);
  const listeners = new Set<() => void>();
  let listener: pg.Client | undefined;
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
    async load(): Promise<Snapshot> {
      // REPEATABLE READ: the version and the keys come from one snapshot of the database.
      return transaction('load', async (c) => {
        await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const m = await c.query<{ version: string; key_check: string | null }>(
          `SELECT version, key_check FROM ${meta} WHERE id = 1`,
        );
        const k = await c.query<KeyRow>(`SELECT * FROM ${keys} ORDER BY created_at, kid`);
        return {
          version: Number(m.rows[0]?.version ?? 0),
          keyCheck: m.rows[0]?.key_check ?? null,
          keys: k.rows.map(rowToKey),
        };
      });
    },
    async version() {
      try {
        const r = await pool.query<{ version: string }>(`SELECT version FROM ${meta} WHERE id = 1`);
        return Number(r.rows[0]?.version ?? 0);
      } catch (e) {
        throw fail('version check', e);
      }
    },
    async commit(expected: number, mutation: Mutation) {
      return transaction('commit', async (c) => {
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
        if (mutation.remove.length > 0)
          await c.query(`DELETE FROM ${keys} WHERE kid = ANY($1)`, [mutation.remove]);
        for (const key of upsertOrder(mutation.upsert)) await c.query(upsert, keyToValues(key));
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

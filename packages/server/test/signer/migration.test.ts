/**
 * Store schema 3 (issue 17): a key held in a PKCS#11 token has a `custody` and no sealed private
 * key. A schema-2 store (jwkit before key custody) is migrated by the first writer that opens it,
 * keeping every row; a read-only open (`jwkit keys list`) migrates nothing.
 */

import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../../src/crypto-at-rest.js';
import { KeyManager } from '../../src/key-manager.js';
import { generateKey } from '../../src/key-material.js';
import { keysList } from '../../src/keys-command.js';
import { resolvePolicies } from '../../src/policy.js';
import { openStore } from '../../src/stores/open.js';
import { KEY_COLUMNS, keyToValues } from '../../src/stores/rows.js';
import type { StoredKey } from '../../src/stores/store.js';
import { dropSchema, PG_URL, tempDir, uniqueSchema } from '../helpers.js';

const tmp = tempDir('jwkit-migration-');
const schemas: string[] = [];
afterAll(async () => {
  tmp.cleanup();
  for (const s of schemas) await dropSchema(s);
});

const V2_COLUMNS = KEY_COLUMNS.filter((c) => c !== 'custody');

/** A current software key as jwkit before schema 3 stored it. */
async function v2Key(masterKey: MasterKey): Promise<StoredKey> {
  const fresh = await generateKey(resolvePolicies(['ES256'])[0]!, masterKey);
  const now = Date.now();
  return {
    ...fresh,
    state: 'current',
    createdAt: now,
    activatesAt: now,
    retiresAt: now + 86_400_000,
    expiresAt: null,
    revokedAt: null,
  };
}

const v2Values = (k: StoredKey) => keyToValues(k).slice(0, V2_COLUMNS.length);

/** A retired row like `key` held in a PKCS#11 token: a custody and no sealed private key. */
const heldInToken = (key: StoredKey): StoredKey => ({
  ...key,
  kid: 'held',
  state: 'retired',
  sealedPrivate: null,
  custody: '{"kind":"pkcs11","token":"t","label":"held"}',
});

describe('schema 2 -> 3', () => {
  it('SQLite: keys list reads a schema-2 store without migrating it; a writer migrates it keeping the keys', async () => {
    const path = join(tmp.dir, 'v2.db');
    const masterKey = MasterKey.generate().key;
    const key = await v2Key(masterKey);
    const db = new DatabaseSync(path);
    db.exec(`
      CREATE TABLE jwkit_meta (id INTEGER PRIMARY KEY CHECK (id = 1), schema_version INTEGER NOT NULL,
        version INTEGER NOT NULL, key_check TEXT, store_id TEXT, policy TEXT);
      CREATE TABLE jwkit_keys (kid TEXT PRIMARY KEY, alg TEXT NOT NULL, kty TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired', 'revoked')), public_jwk TEXT,
        sealed_private TEXT NOT NULL, created_at INTEGER NOT NULL, activates_at INTEGER NOT NULL,
        retires_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER, origin TEXT NOT NULL, public_mac TEXT);
      CREATE UNIQUE INDEX jwkit_one_current_per_alg ON jwkit_keys (alg) WHERE state = 'current';
      CREATE TABLE jwkit_audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
        event TEXT NOT NULL, kid TEXT, alg TEXT, detail TEXT, writer TEXT);
      INSERT INTO jwkit_meta VALUES (1, 2, 1, NULL, 'store-v2', NULL);`);
    db.prepare(
      `INSERT INTO jwkit_keys (${V2_COLUMNS.join(', ')}) VALUES (${V2_COLUMNS.map(() => '?').join(', ')})`,
    ).run(...v2Values(key));
    db.close();
    const version = () => {
      const c = new DatabaseSync(path, { readOnly: true });
      const v = (c.prepare('SELECT schema_version FROM jwkit_meta').get() as { schema_version: number })
        .schema_version;
      c.close();
      return v;
    };

    expect((await keysList({ store: `sqlite:${path}` })).map((k) => k.kid)).toEqual([key.kid]);
    expect(version()).toBe(2);

    const store = await openStore(`sqlite:${path}`, { create: false });
    expect(version()).toBe(3);
    const [row] = (await store.load()).keys;
    expect(row).toEqual(key); // every column kept; no custody: a software key
    const m = await KeyManager.open({ store, masterKey, policies: ['ES256'], schedule: false });
    expect(m.publication().keys.map((k) => k.kid)).toEqual([key.kid]);
    expect(typeof (await m.sign({ sub: 'x' }))).toBe('string');
    // sealed_private may now be null for a row with a custody, and only then
    const tokenRow = heldInToken(key);
    expect(await store.commit((await store.load()).version, { upsert: [tokenRow], remove: [] })).toBe(true);
    await expect(
      store.commit((await store.load()).version, {
        upsert: [{ ...tokenRow, kid: 'bad', custody: null }],
        remove: [],
      }),
    ).rejects.toThrow();
    await m.close();
    await store.close();
  });

  it('PostgreSQL: a writer migrates a schema-2 store keeping the keys', async () => {
    const schema = uniqueSchema('mig3');
    schemas.push(schema);
    const masterKey = MasterKey.generate().key;
    const key = await v2Key(masterKey);
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(`CREATE SCHEMA "${schema}"`);
      await c.query(`CREATE TABLE "${schema}".jwkit_meta (id INTEGER PRIMARY KEY CHECK (id = 1), schema_version INTEGER NOT NULL,
        version BIGINT NOT NULL, key_check TEXT, store_id TEXT, policy TEXT)`);
      await c.query(`INSERT INTO "${schema}".jwkit_meta VALUES (1, 2, 1, NULL, 'store-v2', NULL)`);
      await c.query(`CREATE TABLE "${schema}".jwkit_keys (kid TEXT PRIMARY KEY, alg TEXT NOT NULL, kty TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('next', 'current', 'retired', 'revoked')), public_jwk TEXT,
        sealed_private TEXT NOT NULL, created_at BIGINT NOT NULL, activates_at BIGINT NOT NULL, retires_at BIGINT NOT NULL,
        expires_at BIGINT, revoked_at BIGINT, origin TEXT NOT NULL, public_mac TEXT)`);
      await c.query(`CREATE TABLE "${schema}".jwkit_audit (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL,
        event TEXT NOT NULL, kid TEXT, alg TEXT, detail TEXT, writer TEXT)`);
      await c.query(
        `INSERT INTO "${schema}".jwkit_keys (${V2_COLUMNS.join(', ')}) VALUES (${V2_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
        v2Values(key),
      );
      const url = `${PG_URL}?schema=${schema}`;
      const store = await openStore(url, { create: false });
      const v = await c.query(`SELECT schema_version FROM "${schema}".jwkit_meta`);
      expect(v.rows[0].schema_version).toBe(3);
      expect((await store.load()).keys).toEqual([key]);
      const tokenRow = heldInToken(key);
      expect(await store.commit((await store.load()).version, { upsert: [tokenRow], remove: [] })).toBe(true);
      expect((await store.load()).keys.find((k) => k.kid === 'held')).toMatchObject({
        sealedPrivate: null,
        custody: tokenRow.custody,
      });
      await expect(
        store.commit((await store.load()).version, {
          upsert: [{ ...tokenRow, kid: 'bad', custody: null }],
          remove: [],
        }),
      ).rejects.toThrow();
      await store.close();
    } finally {
      await c.end();
    }
  });
});

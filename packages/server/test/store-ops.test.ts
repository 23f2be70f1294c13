/**
 * The store's operations (issues 13.2, 13.3, 13.16, 14.1, 14.2, 14.3, 14.7), each on a real
 * SQLite file and the real PostgreSQL: the stored policy and replicas that disagree with it,
 * backup/restore (SQLite -> PostgreSQL), master-key rotation killed mid-way, publishing only
 * what the store proves, a store deleted under a running manager, read-only commands that
 * create nothing, and the audit trail.
 */

import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../src/crypto-at-rest.js';
import { KEY_CHECK_AAD, KeyManager, type ManagerEvent } from '../src/key-manager.js';
import { bindPublic, openMaterial, sealMaterial } from '../src/key-material.js';
import {
  keysAudit,
  keysBackup,
  keysList,
  keysPolicySet,
  keysPolicyShow,
  keysRestore,
  keysRotate,
} from '../src/keys-command.js';
import { openWriterStore } from '../src/master-key-file.js';
import { openStore } from '../src/stores/open.js';
import type { KeyStore } from '../src/stores/store.js';
import { bundle, removeBundles } from './fixtures/process.js';
import { DAY, dropSchema, HOUR, MINUTE, PG_URL, tempDir, uniqueSchema } from './helpers.js';

const tmp = tempDir('jwkit-store-ops-');
const schemas: string[] = [];
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => {});
  for (const s of schemas) await dropSchema(s);
  removeBundles();
  tmp.cleanup();
});

let n = 0;
function sqliteUrl(): string {
  return `sqlite:${join(tmp.dir, `s${n++}`, 'keys.db')}`;
}
function pgUrl(): string {
  const schema = uniqueSchema('ops');
  schemas.push(schema);
  return `${PG_URL}?schema=${schema}`;
}
const KINDS: [string, () => string][] = [
  ['sqlite', sqliteUrl],
  ['postgres', pgUrl],
];

const POLICY = { rotationPeriod: '1d', prePublish: '6h', maxTokenLifetime: '12h' };

async function open(url: string): Promise<KeyStore> {
  const store = await openStore(url);
  closers.push(() => store.close());
  return store;
}

async function manager(store: KeyStore, masterKey: MasterKey, extra: Record<string, unknown> = {}) {
  const events: ManagerEvent[] = [];
  const m = await KeyManager.open({
    store,
    masterKey,
    policies: ['ES256'],
    policyDefaults: POLICY,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  closers.push(() => m.close());
  return { m, events };
}

/** Raw SQL against the store's database, as an attacker (or an operator) with database access would. */
async function sql(url: string, text: string, params: unknown[] = []): Promise<void> {
  if (url.startsWith('sqlite:')) {
    const db = new DatabaseSync(url.slice('sqlite:'.length));
    try {
      db.prepare(text.replaceAll('$S.', '').replace(/\$(\d)/g, '?')).run(...(params as string[]));
    } finally {
      db.close();
    }
    return;
  }
  const u = new URL(url);
  const schema = u.searchParams.get('schema')!;
  u.searchParams.delete('schema');
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    await c.query(text.replaceAll('$S.', `"${schema}".`), params);
  } finally {
    await c.end();
  }
}

describe('14.1 the policy is stored', () => {
  it('two PostgreSQL replicas with different flags: the second refuses and changes nothing', async () => {
    const url = pgUrl();
    const masterKey = MasterKey.generate().key;
    const a = await manager(await open(url), masterKey, { policies: ['ES256'] });
    const storeB = await open(url);
    const before = await storeB.load();
    await expect(manager(storeB, masterKey, { policies: ['ES256', 'RS256'] })).rejects.toMatchObject({
      code: 'ERR_POLICY_MISMATCH',
      message: expect.stringContaining('--algs: the store has ES256, the flags say ES256,RS256'),
    });
    await expect(
      manager(storeB, masterKey, { policyDefaults: { ...POLICY, maxTokenLifetime: '1h' } }),
    ).rejects.toMatchObject({
      code: 'ERR_POLICY_MISMATCH',
      message: expect.stringContaining('--max-token-lifetime (ES256): the store has 12h, the flags say 1h'),
    });
    expect(await storeB.load()).toEqual(before);
    // The same flags, or none, agree by construction.
    const b = await manager(storeB, masterKey, { policies: undefined, policyDefaults: undefined });
    expect(b.m.storedPolicy).toEqual(a.m.storedPolicy);
    // A change on purpose reaches the running replica at its next reload.
    const c = await manager(await open(url), masterKey, {
      policies: ['ES256', 'Ed25519'],
      updatePolicy: true,
    });
    expect(c.m.policies.map((p) => p.alg)).toEqual(['ES256', 'Ed25519']);
    await a.m.refresh();
    expect(a.m.policies.map((p) => p.alg)).toEqual(['ES256', 'Ed25519']);
    expect(a.events.some((e) => e.type === 'policy-changed')).toBe(true);
  });

  it.each(KINDS)(
    '%s: CLI rotate schedules from the stored policy, and a shorter lifetime keeps old keys',
    async (_k, mk) => {
      const url = mk();
      const { key: masterKey, text } = MasterKey.generate();
      const { m } = await manager(await open(url), masterKey, { policies: ['ES256'], cacheMaxAge: '15m' });
      const first = m.list()[0]!;
      const [rotated] = await keysRotate({ store: url, masterKey: text, log: () => {} });
      const list = await keysList({ store: url });
      const retired = list.find((k) => k.kid === first.kid)!;
      expect(retired.state).toBe('retired');
      // retired >= max token lifetime (12h) + cache max-age (15m) + stale-while-revalidate (1m) + skew (1m)
      const kept = Date.parse(retired.expires!) - Date.parse(retired.retires);
      expect(kept).toBeGreaterThanOrEqual(12 * HOUR + 17 * MINUTE);
      // the next rotation is the stored 1d, not the built-in 30d
      expect(Date.parse(rotated!.retires) - Date.parse(rotated!.activates)).toBe(DAY);

      // Shorten the token lifetime on purpose: the key signing now keeps its old retention.
      const changed = Date.now();
      const { after } = await keysPolicySet({ store: url, policy: { maxTokenLifetime: '1h' } });
      expect(after.policies[0]!.maxTokenLifetime).toBe(HOUR);
      expect(after.retainUntil.ES256).toBeGreaterThanOrEqual(changed + 12 * HOUR + 17 * MINUTE);
      await keysRotate({ store: url, masterKey: text, log: () => {} });
      const second = (await keysList({ store: url })).find((k) => k.kid === rotated!.kid)!;
      expect(Date.parse(second.expires!)).toBeGreaterThanOrEqual(changed + 12 * HOUR + 17 * MINUTE);
      expect((await keysPolicyShow({ store: url }))!.policies[0]!.maxTokenLifetime).toBe(HOUR);
      const events = (await keysAudit({ store: url })).map((e) => `${e.actor} ${e.event}`);
      expect(events).toContain('cli policy-changed');
      expect(events).toContain('cli retired');
    },
  );

  it('a schema-1 store is migrated; a writing command on it without a stored policy refuses', async () => {
    const path = join(tmp.dir, 'v1', 'keys.db');
    const url = `sqlite:${path}`;
    const s = await openStore(url);
    await s.close();
    // make it look like a store written by jwkit 0.1 (schema 1): drop the new columns' data
    await sql(url, 'UPDATE jwkit_meta SET policy = NULL');
    await expect(keysRotate({ store: url, log: () => {} })).rejects.toMatchObject({
      code: 'ERR_POLICY_MISSING',
    });
  });
});

describe('14.2 backup, restore, migration', () => {
  it('SQLite -> PostgreSQL: the restored store publishes the same kids and signs with the same key', async () => {
    const from = sqliteUrl();
    const { key: masterKey, text: masterKeyText } = MasterKey.generate();
    const { m } = await manager(await open(from), masterKey, { policies: ['ES256', 'Ed25519'] });
    await m.rotate('ES256');
    const kids = m
      .publication()
      .keys.map((k) => k.kid)
      .sort();
    const signing = m.signingKey('ES256').kid;
    const passphrase = 'correct horse battery staple';
    const file = join(tmp.dir, 'store.backup');
    const wrote = await keysBackup({ store: from, masterKey: masterKeyText, out: file, passphrase });
    expect(wrote.keys).toBe(3);
    expect(readFileSync(file, 'utf8')).not.toContain('"d"');
    await expect(
      keysBackup({ store: from, masterKey: masterKeyText, out: file, passphrase }),
    ).rejects.toMatchObject({ code: 'ERR_BACKUP_EXISTS' });

    const to = pgUrl();
    const target = MasterKey.generate();
    // a wrong passphrase or a damaged file changes nothing: the target is not even created
    await expect(
      keysRestore({ store: to, file, passphrase: 'not the passphrase', masterKey: target.text }),
    ).rejects.toMatchObject({ code: 'ERR_BACKUP_DECRYPT' });
    const text = readFileSync(file, 'utf8').split('\n');
    const damaged = join(tmp.dir, 'damaged.backup');
    writeFileSync(damaged, [text[0], text[1]!.replace('"N":131072', '"N":262144'), text[2], ''].join('\n'));
    await expect(
      keysRestore({ store: to, file: damaged, passphrase, masterKey: target.text }),
    ).rejects.toMatchObject({
      code: 'ERR_BACKUP_DECRYPT',
    });
    const flipped = text[2]!.slice(0, 10) + (text[2]![10] === 'A' ? 'B' : 'A') + text[2]!.slice(11);
    writeFileSync(damaged, [text[0], text[1], flipped, ''].join('\n'));
    await expect(
      keysRestore({ store: to, file: damaged, passphrase, masterKey: target.text }),
    ).rejects.toMatchObject({
      code: 'ERR_BACKUP_DECRYPT',
    });
    await expect(openStore(to, { readOnly: true })).rejects.toMatchObject({ code: 'ERR_STORE_MISSING' });

    const restored = await keysRestore({
      store: to,
      file,
      passphrase,
      masterKey: target.text,
      log: () => {},
    });
    expect(restored.kids.sort()).toEqual(kids);
    const r = await manager(await open(to), target.key, { policies: undefined, policyDefaults: undefined });
    expect(
      r.m
        .publication()
        .keys.map((k) => k.kid)
        .sort(),
    ).toEqual(kids);
    expect(r.m.signingKey('ES256').kid).toBe(signing);
    expect(r.m.health().integrity).toEqual([]);
    expect(r.m.storedPolicy).toEqual(m.storedPolicy);
    // restoring again: the store is not empty
    await expect(keysRestore({ store: to, file, passphrase, masterKey: target.text })).rejects.toMatchObject({
      code: 'ERR_STORE_NOT_EMPTY',
    });
    expect((await keysAudit({ store: to })).some((e) => e.event === 'restored')).toBe(true);
  });
});

describe('14.3 master-key rotation', () => {
  let bundled: string;
  beforeAll(async () => {
    bundled = await bundle(join(import.meta.dirname, 'fixtures', 'rekey-process.ts'));
  });

  function run(args: object, env: Record<string, string> = {}, killOnPause = false) {
    const child = spawn(process.execPath, [bundled, JSON.stringify(args)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    return new Promise<{ code: number | null; signal: string | null; stderr: string }>((done) => {
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (killOnPause && err.includes('jwkit-test: commit paused')) child.kill('SIGKILL');
      });
      child.on('exit', (code, signal) => done({ code, signal, stderr: err }));
    });
  }

  function opensWith(
    store: {
      keyCheck: string | null;
      keys: readonly { kid: string; alg: string; sealedPrivate: string | null }[];
    },
    key: MasterKey,
  ): boolean {
    try {
      key.open(store.keyCheck!, KEY_CHECK_AAD);
    } catch {
      return false;
    }
    for (const k of store.keys) openMaterial(key, k); // every key, or throw
    return true;
  }

  it.each(KINDS)(
    '%s: killed mid-transaction, exactly the old key opens; completed, only the new one',
    async (_k, mk) => {
      const url = mk();
      const old = MasterKey.generate();
      const { m } = await manager(await open(url), old.key, { policies: ['ES256', 'Ed25519'] });
      for (let i = 0; i < 4; i++) await m.rotate();
      await m.close();
      const fresh = MasterKey.generate();
      const newFile = join(tmp.dir, `new-${n++}.key`);
      writeFileSync(newFile, `${fresh.text}\n`, { mode: 0o600 });
      const args = { store: url, masterKey: old.text, newMasterKeyFile: newFile };

      const killed = await run(args, { JWKIT_TEST_COMMIT_PAUSE_MS: '30000' }, true);
      expect(killed.signal).toBe('SIGKILL');
      const store = await open(url);
      let snap = await store.load();
      expect(snap.keys.length).toBeGreaterThanOrEqual(6);
      expect(opensWith(snap, old.key)).toBe(true);
      expect(opensWith(snap, fresh.key)).toBe(false);

      // the old key from JWKIT_MASTER_KEY (as in production): it must not be taken for the new one
      const done = await run({ store: url, newMasterKeyFile: newFile }, { JWKIT_MASTER_KEY: old.text });
      expect(done).toMatchObject({ code: 0 });
      snap = await store.load();
      expect(opensWith(snap, fresh.key)).toBe(true);
      expect(opensWith(snap, old.key)).toBe(false);
      await expect(KeyManager.open({ store, masterKey: old.key })).rejects.toMatchObject({
        code: 'ERR_MASTER_KEY_MISMATCH',
      });
      const after = await manager(store, fresh.key, { policies: undefined, policyDefaults: undefined });
      expect(after.m.health().integrity).toEqual([]);
      expect((await keysAudit({ store: url })).some((e) => e.event === 'rekeyed' && e.actor === 'cli')).toBe(
        true,
      );
    },
  );
});

describe('13.2 publish only what the store proves', () => {
  it.each(KINDS)(
    '%s: an edited public_jwk is not served; a moved sealed key is refused and reported',
    async (_k, mk) => {
      const url = mk();
      const masterKey = MasterKey.generate().key;
      const { m, events } = await manager(await open(url), masterKey);
      const current = m.publication().keys[0]!;
      const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
      const forged = JSON.stringify({ ...attacker, kid: current.kid, alg: 'ES256', use: 'sig' });
      await sql(url, 'UPDATE $S.jwkit_keys SET public_jwk = $1 WHERE kid = $2', [forged, current.kid]);
      await sql(url, 'UPDATE $S.jwkit_meta SET version = version + 1');
      await m.refresh();
      expect(m.publication().keys).toEqual([current]);
      expect(m.health().integrity).toEqual([
        { kid: current.kid, refused: false, reason: expect.stringContaining('public_jwk column differs') },
      ]);
      expect(events.some((e) => e.type === 'integrity-error' && e.kid === current.kid)).toBe(true);

      // A second key; then the retired key's row gets the current key's sealed value (and public JWK).
      await m.rotate();
      const [now] = m.publication().keys;
      const snap = await m.store.load();
      const sealedNow = snap.keys.find((k) => k.kid === now!.kid)!.sealedPrivate;
      await sql(url, 'UPDATE $S.jwkit_keys SET sealed_private = $1, public_jwk = $2 WHERE kid = $3', [
        sealedNow,
        JSON.stringify(now),
        current.kid,
      ]);
      await sql(url, 'UPDATE $S.jwkit_meta SET version = version + 1');
      const restarted = await manager(m.store, masterKey);
      expect(restarted.m.publication().keys.map((k) => k.kid)).toEqual([now!.kid]);
      expect(restarted.m.health().integrity).toEqual([
        { kid: current.kid, refused: true, reason: expect.stringContaining('does not open') },
      ]);
      expect((await keysAudit({ store: url })).some((e) => e.event === 'integrity-error')).toBe(true);
    },
  );

  it.each(KINDS)(
    '%s: a key without private material (a PKCS#11 signer) is published only with a valid binding',
    async (_k, mk) => {
      const url = mk();
      const masterKey = MasterKey.generate().key;
      const { m } = await manager(await open(url), masterKey);
      const pub = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
      const kid = 'hsm-key-1';
      const publicJwk = JSON.stringify({ ...pub, kid, alg: 'ES256', use: 'sig' });
      const snap = await m.store.load();
      const record = {
        kid,
        alg: 'ES256',
        kty: 'EC',
        state: 'retired' as const,
        publicJwk,
        sealedPrivate: sealMaterial(masterKey, kid, 'ES256', { ...pub, pkcs11: { label: 'jwkit-1' } }),
        publicMac: bindPublic(masterKey, kid, 'ES256', publicJwk),
        createdAt: 1,
        activatesAt: 1,
        retiresAt: 2,
        expiresAt: Date.now() + DAY,
        revokedAt: null,
        origin: 'imported' as const,
      };
      expect(await m.store.commit(snap.version, { upsert: [record], remove: [] })).toBe(true);
      await m.refresh();
      expect(m.publication().keys.map((k) => k.kid)).toContain(kid);
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
      await sql(url, 'UPDATE $S.jwkit_keys SET public_jwk = $1 WHERE kid = $2', [
        JSON.stringify({ ...other, kid, alg: 'ES256', use: 'sig' }),
        kid,
      ]);
      await sql(url, 'UPDATE $S.jwkit_meta SET version = version + 1');
      await m.refresh();
      expect(m.publication().keys.map((k) => k.kid)).not.toContain(kid);
      expect(m.health().integrity[0]).toMatchObject({
        kid,
        refused: true,
        reason: expect.stringContaining('public_mac'),
      });
    },
  );
});

describe('13.3 a store deleted or replaced under a running manager', () => {
  it('SQLite: deleted -> not ready (ERR_STORE_MISSING), writes refused; replaced -> ERR_STORE_REPLACED', async () => {
    const url = sqliteUrl();
    const path = url.slice('sqlite:'.length);
    const { m, events } = await manager(await open(url), MasterKey.generate().key);
    expect(m.health()).toMatchObject({ ready: true, storeId: expect.stringContaining('inode') });
    copyFileSync(path, `${path}.copy`);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    await expect(m.refresh()).rejects.toMatchObject({ code: 'ERR_STORE_MISSING' });
    await expect(m.rotate()).rejects.toMatchObject({ code: 'ERR_STORE_MISSING' });
    expect(m.health()).toMatchObject({ ready: false, code: 'ERR_STORE_MISSING' });
    expect(events.some((e) => e.type === 'store-error')).toBe(true);
    expect(m.publication().keys).toHaveLength(1); // still served from memory
    renameSync(`${path}.copy`, path); // another file (inode) at the same path
    await expect(m.refresh()).rejects.toMatchObject({ code: 'ERR_STORE_REPLACED' });
    expect(m.health()).toMatchObject({ ready: false, code: 'ERR_STORE_REPLACED' });
  });

  it('PostgreSQL: dropped -> not ready (ERR_STORE_MISSING)', async () => {
    const url = pgUrl();
    const { m } = await manager(await open(url), MasterKey.generate().key);
    await sql(url, 'DROP TABLE $S.jwkit_meta, $S.jwkit_keys, $S.jwkit_audit');
    await expect(m.refresh()).rejects.toMatchObject({ code: 'ERR_STORE_MISSING' });
    expect(m.health()).toMatchObject({ ready: false, code: 'ERR_STORE_MISSING' });
  });

  it('a restart that finds the master key but no store is an error naming the store, unless asked to init', async () => {
    const url = sqliteUrl();
    const path = url.slice('sqlite:'.length);
    const first = await openWriterStore(url, { warn: () => {}, firstStart: true });
    expect(first.created).toBe(true);
    await first.store.close();
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    await expect(openWriterStore(url, { warn: () => {}, firstStart: true })).rejects.toMatchObject({
      code: 'ERR_STORE_MISSING',
      message: expect.stringMatching(new RegExp(`${path}.*master key file.*--init`)),
    });
    expect(existsSync(path)).toBe(false);
    const again = await openWriterStore(url, { warn: () => {}, init: true });
    expect(again.created).toBe(true);
    await again.store.close();
  });
});

describe('13.16 read-only commands create nothing', () => {
  it('PostgreSQL: keys list on a missing schema creates nothing; on a schema-1 store it migrates nothing', async () => {
    const url = pgUrl();
    await expect(keysList({ store: url })).rejects.toMatchObject({ code: 'ERR_STORE_MISSING' });
    const schema = new URL(url).searchParams.get('schema')!;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      const found = await c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
        schema,
      ]);
      expect(found.rowCount).toBe(0);
      // a schema-1 store, as jwkit 0.1 made it
      await c.query(`CREATE SCHEMA "${schema}"`);
      await c.query(
        `CREATE TABLE "${schema}".jwkit_meta (id INTEGER PRIMARY KEY, schema_version INTEGER NOT NULL, version BIGINT NOT NULL, key_check TEXT)`,
      );
      await c.query(`INSERT INTO "${schema}".jwkit_meta VALUES (1, 1, 0, NULL)`);
      await c.query(`CREATE TABLE "${schema}".jwkit_keys (kid TEXT PRIMARY KEY, alg TEXT NOT NULL, kty TEXT NOT NULL, state TEXT NOT NULL,
        public_jwk TEXT, sealed_private TEXT NOT NULL, created_at BIGINT NOT NULL, activates_at BIGINT NOT NULL, retires_at BIGINT NOT NULL,
        expires_at BIGINT, revoked_at BIGINT, origin TEXT NOT NULL)`);
      expect(await keysList({ store: url })).toEqual([]);
      expect(await keysAudit({ store: url })).toEqual([]);
      const v = await c.query(`SELECT schema_version FROM "${schema}".jwkit_meta`);
      expect(v.rows[0].schema_version).toBe(1);
      const audit = await c.query('SELECT to_regclass($1) AS t', [`"${schema}".jwkit_audit`]);
      expect(audit.rows[0].t).toBeNull();
      // a writer migrates it (schema 2)
      const w = await openStore(url, { create: false });
      await w.close();
      const v2 = await c.query(`SELECT schema_version FROM "${schema}".jwkit_meta`);
      expect(v2.rows[0].schema_version).toBe(3);
    } finally {
      await c.end();
    }
  });
});

describe('14.7 the audit trail', () => {
  it.each(KINDS)(
    '%s: key events with actor and kid; CLI changes reach the running manager; admin calls appended',
    async (_k, mk) => {
      const url = mk();
      const { key, text } = MasterKey.generate();
      const { m, events } = await manager(await open(url), key, { actor: 'serve' });
      const [rotated] = await keysRotate({ store: url, masterKey: text, log: () => {} });
      await m.refresh();
      await new Promise((r) => setTimeout(r, 200)); // the audit pull runs after the reload
      const foreign = events
        .filter((e) => e.type === 'audit')
        .map((e) => (e.type === 'audit' ? e.entry : null)!);
      expect(foreign.map((e) => `${e.actor} ${e.event} ${e.kid}`)).toContain(`cli activated ${rotated!.kid}`);
      await m.recordAudit('admin-auth-failed', { actor: 'admin-api', detail: { remote: '127.0.0.1' } });
      await m.rotate(undefined, { actor: 'admin-api' });
      const trail = await m.audit();
      expect(trail.map((e) => `${e.actor} ${e.event}`)).toEqual(
        expect.arrayContaining([
          'schedule created',
          'schedule activated',
          'cli retired',
          'admin-api admin-auth-failed',
          'admin-api activated',
        ]),
      );
      for (const e of trail) expect(e.at).toBeGreaterThan(0);
      expect(trail.map((e) => e.id)).toEqual([...trail.map((e) => e.id)].sort((a, b) => a - b));
    },
  );
});

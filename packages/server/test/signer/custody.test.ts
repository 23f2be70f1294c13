/**
 * Key custody in the key manager against a real SoftHSM2 token and a real SQLite store: keys
 * made in the token (no private material in the store), signing through the token, a revoked
 * key's object destroyed at once, the reconcile at start (pending, unknown, revoked objects
 * destroyed; a published key whose object is missing is not published and /readyz says why),
 * and a store holding token keys refusing to open without the token.
 */

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { generateJWK, JWKSet, toPublic, verifyJWT } from 'jwkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../../src/crypto-at-rest.js';
import { KeyManager, type ManagerEvent } from '../../src/key-manager.js';
import { keysBackup, keysList, keysRestore } from '../../src/keys-command.js';
import { openToken, type Pkcs11Token } from '../../src/pkcs11/index.js';
import { Pkcs11Custody } from '../../src/signer/pkcs11.js';
import { openStore } from '../../src/stores/open.js';
import type { KeyStore } from '../../src/stores/store.js';
import { FakeClock, tempDir } from '../helpers.js';
import { type SoftHsm, softHsm, softHsmAvailable } from '../pkcs11/softhsm.js';

const tmp = tempDir('jwkit-custody-');
let hsm: SoftHsm;
let token: Pkcs11Token;
const masterKey = MasterKey.generate().key;

beforeAll(async () => {
  if (!softHsmAvailable) return;
  hsm = softHsm('custody');
  token = await openToken(hsm.uri);
});
afterAll(async () => {
  await token?.close();
  hsm?.cleanup();
  tmp.cleanup();
});

let n = 0;
async function freshStore(): Promise<{ url: string; store: KeyStore }> {
  const url = `sqlite:${join(tmp.dir, `s${n++}`, 'keys.db')}`;
  return { url, store: await openStore(url) };
}

async function open(store: KeyStore, events: ManagerEvent[] = []): Promise<KeyManager> {
  return KeyManager.open({
    store,
    masterKey,
    custody: new Pkcs11Custody(token, { tokenName: 'custody', masterKey }),
    policies: ['ES256'],
    onEvent: (e) => events.push(e),
  });
}

async function labels(): Promise<string[]> {
  return (await token.list()).map((k) => k.label);
}

describe.skipIf(!softHsmAvailable)('PKCS#11 custody in the key manager (SoftHSM2)', () => {
  it('makes keys in the token: the row has no private material, the JWKS is the token public key, tokens verify', async () => {
    const { store } = await freshStore();
    const m = await open(store);
    const [key] = (await store.load()).keys;
    expect(key).toMatchObject({ sealedPrivate: null, alg: 'ES256' });
    expect(JSON.parse(key!.custody!)).toEqual({ kind: 'pkcs11', token: 'custody', label: key!.kid });
    expect(m.list()[0]).toMatchObject({ kid: key!.kid, custody: 'pkcs11' });
    const onToken = (await token.list()).find((k) => k.label === key!.kid);
    expect(onToken?.pending).toBe(false);
    const published = m.publication().keys;
    expect(published.map((k) => k.kid)).toEqual([key!.kid]);
    expect(published[0]).toMatchObject({ x: onToken!.publicJwk!.x, y: onToken!.publicJwk!.y });
    expect(() => m.signingKey('ES256')).toThrow(
      expect.objectContaining({ code: 'ERR_PKCS11_NOT_EXPORTABLE' }),
    );
    const jwt = await m.sign({ sub: 'alice' }, { issuer: 'https://issuer.test' });
    const { payload, header } = await verifyJWT(jwt, new JWKSet([...published]), {
      algorithms: ['ES256'],
      issuer: 'https://issuer.test',
    });
    expect(header.kid).toBe(key!.kid);
    expect(payload.sub).toBe('alice');
    expect(m.health()).toMatchObject({ ready: true, custody: { kind: 'pkcs11' } });
    await m.close();
    await store.close();
  });

  it('a revoked key’s object is destroyed at once; its replacement is made in the token', async () => {
    const { store } = await freshStore();
    const events: ManagerEvent[] = [];
    const m = await open(store, events);
    const first = m.list()[0]!.kid;
    expect(await labels()).toContain(first);
    await m.revoke(first);
    expect(await labels()).not.toContain(first);
    const current = m.list().find((k) => k.state === 'current')!;
    expect(current.kid).not.toBe(first);
    expect(await labels()).toContain(current.kid);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'custody', action: 'destroyed', kid: first, reason: 'revoked' }),
    );
    const audit = (await m.audit()).map((e) => `${e.event} ${e.kid}`);
    expect(audit).toContain(`token-object-destroyed ${first}`);
    await m.close();
    await store.close();
  });

  it('reconcile at start destroys pending and unknown objects this store made, and leaves other stores’ and non-jwkit objects', async () => {
    const { store } = await freshStore();
    const m = await open(store);
    const kept = m.list()[0]!.kid;
    // An object this store made but never committed (a crash between its record and the commit)...
    const orphan = (await token.generate('ES256')).label;
    await m.recordAudit('token-object-made', { kid: orphan, alg: 'ES256' });
    await m.close();
    // ...a key another store made on the same token (no record here)...
    const foreign = (await token.generate('ES256')).label;
    // ...a pending pair (a crash inside generate, before the relabel), and someone else's key.
    const id = (label: string) => Buffer.from(`jwkit:ES256:${label}`).toString('hex');
    const tool = (label: string, hexId: string) =>
      execFileSync(
        'pkcs11-tool',
        [
          ...['--module', hsm.module, '--token-label', 'custody', '--login', '--pin', hsm.pin],
          ...['--keypairgen', '--key-type', 'EC:prime256v1', '--label', label, '--id', hexId],
        ],
        { env: { ...process.env, SOFTHSM2_CONF: hsm.conf }, stdio: 'pipe' },
      );
    tool('jwkit-pending:0123abcd', id('jwkit-pending:0123abcd'));
    tool('not-jwkit', '0102');
    expect(await labels()).toEqual(expect.arrayContaining([kept, orphan, foreign, 'jwkit-pending:0123abcd']));
    const events: ManagerEvent[] = [];
    const again = await open(store, events);
    const after = await labels();
    expect(after).toEqual(expect.arrayContaining([kept, foreign]));
    expect(after).not.toContain(orphan);
    expect(after).not.toContain('jwkit-pending:0123abcd');
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'custody', action: 'foreign', kid: foreign }),
    );
    const destroyed = events.filter((e) => e.type === 'custody' && e.action === 'destroyed');
    expect(destroyed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kid: orphan, reason: 'unknown' }),
        expect.objectContaining({ kid: 'jwkit-pending:0123abcd', reason: 'pending' }),
      ]),
    );
    expect(again.publication().keys.map((k) => k.kid)).toEqual([kept]);
    // The administrator's own key pair is still there (pkcs11-tool sees it).
    const objects = execFileSync(
      'pkcs11-tool',
      ['--module', hsm.module, '--token-label', 'custody', '--login', '--pin', hsm.pin, '--list-objects'],
      {
        env: { ...process.env, SOFTHSM2_CONF: hsm.conf },
        encoding: 'utf8',
      },
    );
    expect(objects).toContain('not-jwkit');
    await again.close();
    await store.close();
  });

  it('a published key whose object is missing is not published, logged, and /readyz says why', async () => {
    const { store } = await freshStore();
    const m = await open(store);
    const kid = m.list()[0]!.kid;
    await m.close();
    await token.destroy(kid); // behind the server's back
    const events: ManagerEvent[] = [];
    const again = await open(store, events);
    expect(again.publication().keys).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'custody', action: 'missing', kid }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'integrity-error', kid, refused: true }));
    const health = again.health();
    expect(health).toMatchObject({ ready: false, code: 'ERR_PKCS11_KEY_MISSING' });
    expect(health.integrity).toEqual([
      expect.objectContaining({
        kid,
        refused: true,
        reason: expect.stringContaining('missing from the token'),
      }),
    ]);
    await expect(again.sign({})).rejects.toMatchObject({ code: 'ERR_NO_SIGNING_KEY' });
    // A rotation makes a new key in the token and the server is ready again.
    await again.rotate('ES256');
    expect(again.health().ready).toBe(true);
    expect(typeof (await again.sign({}))).toBe('string');
    await again.close();
    await store.close();
  });

  it('a row whose public key was swapped is not published: the token proves the key, not the row', async () => {
    // No master key, so no public_mac: the token object is the only proof of the row.
    const { store } = await freshStore();
    const custody = () => new Pkcs11Custody(token, { tokenName: 'custody' });
    const m = await KeyManager.open({ store, custody: custody(), policies: ['ES256'] });
    const kid = m.list()[0]!.kid;
    await m.close();
    // Someone with write access to the store puts their own public key under the token key's kid.
    const theirs = toPublic(await generateJWK({ alg: 'ES256' }));
    const snapshot = await store.load();
    const row = snapshot.keys.find((k) => k.kid === kid)!;
    const swapped = { ...row, publicJwk: JSON.stringify({ ...theirs, kid, alg: 'ES256', use: 'sig' }) };
    expect(await store.commit(snapshot.version, { upsert: [swapped], remove: [] })).toBe(true);
    const events: ManagerEvent[] = [];
    const again = await KeyManager.open({
      store,
      custody: custody(),
      policies: ['ES256'],
      schedule: false,
      onEvent: (e) => events.push(e),
    });
    const published = JSON.stringify(again.publication().keys);
    expect(published).not.toContain(theirs.x as string);
    expect(again.publication().keys.map((k) => k.kid)).not.toContain(kid);
    expect(events).toContainEqual(expect.objectContaining({ type: 'integrity-error', kid, refused: true }));
    expect(again.health().integrity).toContainEqual(expect.objectContaining({ kid, refused: true }));
    await again.close();
    await store.close();
  });

  it('a retired key’s object is destroyed when the key leaves the set (expiry)', async () => {
    const { store } = await freshStore();
    const clock = new FakeClock(Date.now());
    const events: ManagerEvent[] = [];
    const m = await KeyManager.open({
      store,
      masterKey,
      custody: new Pkcs11Custody(token, { tokenName: 'custody', masterKey }),
      policies: ['ES256'],
      clock,
      onEvent: (e) => events.push(e),
    });
    const old = m.list()[0]!.kid;
    await m.rotate('ES256');
    const retired = m.list().find((k) => k.kid === old)!;
    expect(retired.state).toBe('retired');
    expect(await labels()).toContain(old); // still published: tokens it signed still verify
    clock.t = Date.parse(retired.expires!) + 1;
    await m.tick();
    expect(m.list().some((k) => k.kid === old)).toBe(false);
    expect(await labels()).not.toContain(old);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'custody', action: 'destroyed', kid: old, reason: 'removed' }),
    );
    await m.close();
    await store.close();
  });

  it('backup and restore keep a token key as a token key: no private material in the file, the restored store needs the token', async () => {
    const { text } = MasterKey.generate();
    const key = MasterKey.fromText(text);
    const { url, store } = await freshStore();
    const m = await KeyManager.open({
      store,
      masterKey: key,
      custody: new Pkcs11Custody(token, { tokenName: 'custody', masterKey: key }),
      policies: ['ES256'],
    });
    const kid = m.list()[0]!.kid;
    await m.close();
    await store.close();
    const file = join(tmp.dir, `backup-${n}.jwkit`);
    await keysBackup({ store: url, masterKey: text, out: file, passphrase: 'correct horse battery' });
    const target = `sqlite:${join(tmp.dir, `restored-${n}`, 'keys.db')}`;
    await keysRestore({
      store: target,
      file,
      passphrase: 'correct horse battery',
      masterKey: text,
      log: () => {},
    });
    const restored = await openStore(target);
    const [row] = (await restored.load()).keys;
    expect(row).toMatchObject({ kid, sealedPrivate: null, custody: expect.stringContaining('"pkcs11"') });
    await expect(
      KeyManager.open({ store: restored, masterKey: key, policies: ['ES256'] }),
    ).rejects.toMatchObject({
      code: 'ERR_PKCS11_REQUIRED',
    });
    const withToken = await KeyManager.open({
      store: restored,
      masterKey: key,
      custody: new Pkcs11Custody(token, { tokenName: 'custody', masterKey: key }),
      policies: ['ES256'],
    });
    expect(withToken.publication().keys.map((k) => k.kid)).toEqual([kid]);
    await withToken.close();
    await restored.close();
  });

  it('a store holding token keys refuses to open without the token (ERR_PKCS11_REQUIRED); keys list still reads it', async () => {
    const { url, store } = await freshStore();
    const m = await open(store);
    const kid = m.list()[0]!.kid;
    await m.close();
    await expect(KeyManager.open({ store, masterKey, policies: ['ES256'] })).rejects.toMatchObject({
      code: 'ERR_PKCS11_REQUIRED',
      message: expect.stringMatching(/PKCS#11.*custody.*--pkcs11/),
    });
    await store.close();
    expect((await keysList({ store: url })).map((k) => [k.kid, k.custody])).toEqual([[kid, 'pkcs11']]);
  });
});

/**
 * `jwkit serve --pkcs11` without a master key (issue 17: "the master key is not needed for such
 * keys"), as a real process (the built CLI: run `npm run build` first) on a real SoftHSM2 token
 * and a real SQLite file: a new store given no master key runs without one and none is created;
 * keys are proven by the token alone; what needs a master key is refused naming it; a store made
 * with a master key keeps needing it.
 */

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JWKSet, verifyJWT } from 'jwkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, jwkit } from '../../../cli/test/helpers.js';
import { MasterKey } from '../../src/crypto-at-rest.js';
import { KeyManager } from '../../src/key-manager.js';
import { openToken } from '../../src/pkcs11/index.js';
import { Pkcs11Custody } from '../../src/signer/pkcs11.js';
import { openStore } from '../../src/stores/open.js';
import { tempDir } from '../helpers.js';
import { type SoftHsm, softHsm, softHsmAvailable } from '../pkcs11/softhsm.js';
import { childEnv, emptyToken, inStep, type Server, serveProcess, stop } from './serve-process.js';

const ADMIN = 'no-master-key-test-admin-token-0123456789';
const tmp = tempDir('jwkit-no-master-key-');
let hsm: SoftHsm;

beforeAll(() => {
  if (!softHsmAvailable) return;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  hsm = softHsm('nomaster');
});
afterAll(() => {
  hsm?.cleanup();
  tmp.cleanup();
});

/** The child's environment: no master key, no PKCS#11 URI, no fault injection from the outside. */
function env(extra: Record<string, string | undefined> = {}): Record<string, string> {
  return childEnv(
    { SOFTHSM2_CONF: hsm.conf, JWKIT_ADMIN_TOKEN: ADMIN, ...extra },
    /^JWKIT_(MASTER_KEY|PKCS11_URI|FAULT)/,
  );
}
const noMasterKey = { JWKIT_MASTER_KEY: undefined, JWKIT_PKCS11_URI: undefined };

let n = 0;
function storeDir(): { dir: string; url: string } {
  const dir = join(tmp.dir, `store-${n++}`);
  mkdirSync(dir);
  return { dir, url: `sqlite:${join(dir, 'keys.db')}` };
}

function serve(args: string[], extra: Record<string, string> = {}): Server {
  return serveProcess(args, tmp.dir, env(extra));
}

function admin(base: string, path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${base}/admin/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** No master key file anywhere a writer would make one: beside the store, or ./.jwkit in the cwd. */
function noKeyFile(dir: string): void {
  expect(readdirSync(dir)).not.toContain('master.key');
  expect(existsSync(join(tmp.dir, '.jwkit'))).toBe(false);
}

describe.skipIf(!softHsmAvailable)('jwkit serve --pkcs11 without a master key (built CLI, SoftHSM2)', () => {
  it('a new store runs without one: no key file, no key check, no private material or public_mac; tokens verify; a restart works', async () => {
    await emptyToken(hsm.uri);
    const { dir, url } = storeDir();
    const args = ['--store', url, '--algs', 'ES256', '--pkcs11', hsm.uri];
    const first = serve([...args, '--init']);
    const { url: base, admin: adminUrl } = await first.ready;
    expect(first.output()).toMatch(/no master key: every key lives in the PKCS#11 token/);
    const res = await admin(adminUrl, 'sign', { claims: { sub: 'no-master-key' } });
    expect(res.status).toBe(200);
    const { token: jwt } = (await res.json()) as { token: string };
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: object[] };
    const { payload, header } = await verifyJWT(jwt, new JWKSet(jwks.keys as never), {
      algorithms: ['ES256'],
    });
    expect(payload.sub).toBe('no-master-key');
    await stop(first);
    noKeyFile(dir);

    const store = await openStore(url, { readOnly: true });
    const snapshot = await store.load();
    await store.close();
    expect(snapshot.keyCheck).toBeNull();
    expect(snapshot.keys.length).toBeGreaterThan(0);
    for (const k of snapshot.keys) {
      expect(k.sealedPrivate).toBeNull();
      expect(k.publicMac).toBeNull();
      expect(JSON.parse(k.custody!)).toMatchObject({ kind: 'pkcs11', label: k.kid });
    }

    const again = serve(args);
    const { url: base2, admin: admin2 } = await again.ready;
    const ready = (await (await fetch(`${base2}/readyz`)).json()) as { ready?: boolean };
    const jwks2 = (await (await fetch(`${base2}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const second = (await (await admin(admin2, 'sign', { claims: { sub: 'again' } })).json()) as {
      token: string;
    };
    await stop(again);
    expect(ready).toMatchObject({ ready: true });
    expect(jwks2.keys.map((k) => k.kid)).toContain(String(header.kid));
    await verifyJWT(second.token, new JWKSet(jwks2.keys as never), { algorithms: ['ES256'] });
    noKeyFile(dir);
    const { published } = await inStep(url, hsm.uri);
    expect(jwks2.keys.map((k) => k.kid).sort()).toEqual(published);

    // keys list reads it; a backup needs only the passphrase; re-key has nothing to do
    const list = await jwkit(['keys', 'list', '--store', url, '--json'], { env: noMasterKey, cwd: tmp.dir });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { kid: string; custody?: string }[])[0]).toMatchObject({
      custody: 'pkcs11',
    });
    expect(list.stdout).toContain(String(header.kid));
    const pass = join(tmp.dir, 'pass.txt');
    writeFileSync(pass, 'correct horse battery staple\n', { mode: 0o600 });
    const backup = await jwkit(
      ['keys', 'backup', '--store', url, '--out', join(tmp.dir, 'nmk.backup'), '--passphrase-file', pass],
      { env: noMasterKey, cwd: tmp.dir },
    );
    expect(backup.code).toBe(0);
    expect(backup.stderr).toMatch(/wrote 1 keys/);
    const newKey = join(tmp.dir, 'new.key');
    writeFileSync(newKey, `${MasterKey.generate().text}\n`, { mode: 0o600 });
    const rekey = await jwkit(['keys', 'rekey', '--store', url, '--new-master-key-file', newKey], {
      env: noMasterKey,
      cwd: tmp.dir,
    });
    expect(rekey.code).not.toBe(0);
    expect(rekey.stderr).toMatch(/ERR_MASTER_KEY_MISSING/);
    expect(rekey.stderr).toMatch(/without a master key/);
    noKeyFile(dir);
  });

  it('HS256 with --pkcs11 is refused at start naming the alg (an oct secret cannot live in the token), creating nothing', async () => {
    const { dir, url } = storeDir();
    const r = await jwkit(['serve', '--store', url, '--algs', 'ES256,HS256', '--pkcs11', hsm.uri, '--init'], {
      env: env(noMasterKey),
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_PKCS11_MECHANISM/);
    expect(r.stderr).toMatch(/HS256 cannot be kept in a PKCS#11 token/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a store made with a master key keeps needing it: without it serve --pkcs11 exits 1 ERR_MASTER_KEY_MISSING, making no key file', async () => {
    await emptyToken(hsm.uri);
    const { dir, url } = storeDir();
    const master = MasterKey.generate().text;
    const args = ['--store', url, '--algs', 'ES256', '--pkcs11', hsm.uri];
    const first = serve([...args, '--init'], { JWKIT_MASTER_KEY: master });
    await first.ready;
    await stop(first);
    expect(first.output()).not.toMatch(/no master key/);
    const store = await openStore(url, { readOnly: true });
    const snapshot = await store.load();
    await store.close();
    expect(snapshot.keyCheck).not.toBeNull();
    expect(snapshot.keys.every((k) => k.publicMac !== null && k.sealedPrivate === null)).toBe(true);

    const without = await jwkit(['serve', ...args, '--port', '0', '--admin-port', '0'], {
      env: env(noMasterKey),
      cwd: tmp.dir,
    });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/ERR_MASTER_KEY_MISSING/);
    noKeyFile(dir);
    const again = serve(args, { JWKIT_MASTER_KEY: master });
    await again.ready;
    await stop(again);
    await inStep(url, hsm.uri);
  });

  it('without the token a no-master-key store is ERR_PKCS11_REQUIRED (no key file made); a deleted store is not silently made again', async () => {
    await emptyToken(hsm.uri);
    const { dir, url } = storeDir();
    const first = serve(['--store', url, '--algs', 'ES256', '--pkcs11', hsm.uri, '--init']);
    await first.ready;
    await stop(first);
    const r = await jwkit(['serve', '--store', url, '--algs', 'ES256', '--port', '0', '--admin-port', '0'], {
      env: env(noMasterKey),
      cwd: tmp.dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_PKCS11_REQUIRED/);
    noKeyFile(dir);

    // The token's jwkit keys show a store existed, as a master key would (issue 13.3).
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    const missing = await jwkit(
      ['serve', '--store', url, '--algs', 'ES256', '--pkcs11', hsm.uri, '--port', '0', '--admin-port', '0'],
      { env: env(noMasterKey), cwd: tmp.dir },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ERR_STORE_MISSING/);
    expect(missing.stderr).toMatch(/PKCS#11 token's 1 jwkit key/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe.skipIf(!softHsmAvailable)('KeyManager without a master key (SoftHSM2, SQLite)', () => {
  it('opens with a PKCS#11 custody only; importing a private key is ERR_MASTER_KEY_MISSING naming the master key', async () => {
    await emptyToken(hsm.uri);
    const token = await openToken(hsm.uri);
    const url = `sqlite:${join(storeDir().dir, 'keys.db')}`;
    const store = await openStore(url);
    try {
      await expect(KeyManager.open({ store, policies: ['ES256'] })).rejects.toMatchObject({
        code: 'ERR_MASTER_KEY_MISSING',
        message: expect.stringMatching(/software keys are sealed under it/),
      });
      const m = await KeyManager.open({
        store,
        custody: new Pkcs11Custody(token, { tokenName: 'nomaster' }),
        policies: ['ES256'],
      });
      expect(m.health()).toMatchObject({ ready: true, custody: { kind: 'pkcs11' } });
      expect(m.publication().keys).toHaveLength(1);
      const { privateKey } = await import('node:crypto').then((c) =>
        c.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      );
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await expect(m.importKey({ pem })).rejects.toMatchObject({
        code: 'ERR_MASTER_KEY_MISSING',
        message: expect.stringMatching(/importing a private key needs a master key/),
      });
      await m.rotate('ES256');
      await m.close();
      expect((await store.load()).keyCheck).toBeNull();
      // A writer given a master key later records its key check at its next commit (hsm.md).
      const masterKey = MasterKey.generate().key;
      const withKey = await KeyManager.open({
        store,
        masterKey,
        custody: new Pkcs11Custody(token, { tokenName: 'nomaster', masterKey }),
        policies: ['ES256'],
      });
      expect(withKey.publication().keys.length).toBeGreaterThan(0);
      await withKey.rotate('ES256');
      await withKey.close();
      expect((await store.load()).keyCheck).not.toBeNull();
      await expect(
        KeyManager.open({ store, custody: new Pkcs11Custody(token), policies: ['ES256'] }),
      ).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_MISSING' });
    } finally {
      await store.close();
      await token.close();
    }
  });
});

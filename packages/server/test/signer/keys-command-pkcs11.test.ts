/**
 * `jwkit keys rotate|revoke|import --pkcs11 <uri>` (and JWKIT_PKCS11_URI) on a store whose keys
 * live in a real SoftHSM2 token, with a real SQLite file: rotate makes the new key in the token,
 * revoke destroys the key's object once the revocation is committed, token and store stay in
 * step; without the token these commands refuse (ERR_PKCS11_REQUIRED) making no master key file;
 * a store without a master key refuses an import naming it. The CLI never runs the start
 * reconcile (a running server may be about to commit an object it made).
 */

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, jwkit } from '../../../cli/test/helpers.js';
import { MasterKey } from '../../src/crypto-at-rest.js';
import { KeyManager } from '../../src/key-manager.js';
import { keysImport, keysRevoke, keysRotate } from '../../src/keys-command.js';
import { openToken } from '../../src/pkcs11/index.js';
import { Pkcs11Custody } from '../../src/signer/pkcs11.js';
import { openStore } from '../../src/stores/open.js';
import { tempDir } from '../helpers.js';
import { type SoftHsm, softHsm, softHsmAvailable } from '../pkcs11/softhsm.js';
import { emptyToken, inStep } from './serve-process.js';

const tmp = tempDir('jwkit-keys-pkcs11-');
let hsm: SoftHsm;

beforeAll(() => {
  if (!softHsmAvailable) return;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  hsm = softHsm('keyscli');
});
afterAll(() => {
  hsm?.cleanup();
  tmp.cleanup();
});

const quiet = { log: () => {} };
const cliEnv = () => ({
  SOFTHSM2_CONF: hsm.conf,
  JWKIT_MASTER_KEY: undefined,
  JWKIT_PKCS11_URI: undefined,
});

let n = 0;
/** A new store whose first ES256 key was made in the token (by a key manager, as serve does). */
async function tokenStore(masterKey?: MasterKey): Promise<{ url: string; dir: string; kid: string }> {
  await emptyToken(hsm.uri);
  const url = `sqlite:${join(tmp.dir, `s${n++}`, 'keys.db')}`;
  const store = await openStore(url);
  const token = await openToken(hsm.uri);
  try {
    const m = await KeyManager.open({
      store,
      masterKey,
      custody: new Pkcs11Custody(token, { tokenName: 'keyscli', masterKey }),
      policies: ['ES256'],
    });
    const kid = m.signer('ES256').kid;
    await m.close();
    return { url, dir: dirname(url.slice('sqlite:'.length)), kid };
  } finally {
    await store.close();
    await token.close();
  }
}

async function labels(): Promise<string[]> {
  const token = await openToken(hsm.uri);
  try {
    return (await token.list()).map((o) => o.label);
  } finally {
    await token.close();
  }
}

async function audit(url: string): Promise<string[]> {
  const store = await openStore(url, { readOnly: true });
  try {
    return ((await store.audit?.({})) ?? []).map((e) => `${e.event} ${e.actor} ${e.kid ?? ''}`);
  } finally {
    await store.close();
  }
}

describe.skipIf(!softHsmAvailable)('jwkit keys --pkcs11 (SoftHSM2, SQLite)', () => {
  it('rotate makes the new key in the token, revoke destroys its object after the commit: token and store in step', async () => {
    const { url, dir, kid: first } = await tokenStore();
    const [rotated] = await keysRotate({ store: url, pkcs11: hsm.uri, alg: 'ES256', ...quiet });
    expect(rotated).toMatchObject({ alg: 'ES256', state: 'current', custody: 'pkcs11' });
    expect(rotated!.kid).not.toBe(first);
    expect(await labels()).toContain(rotated!.kid);
    await inStep(url, hsm.uri);
    const trail = await audit(url);
    expect(trail).toContain(`token-object-made cli ${rotated!.kid}`);

    const revoked = await keysRevoke({ store: url, pkcs11: hsm.uri, kid: rotated!.kid, ...quiet });
    expect(revoked).toMatchObject({ kid: rotated!.kid, state: 'revoked' });
    expect(await labels()).not.toContain(rotated!.kid);
    expect(await audit(url)).toContain(`token-object-destroyed cli ${rotated!.kid}`);
    const { published, objects } = await inStep(url, hsm.uri);
    expect(objects).toEqual(published);
    expect(readdirSync(dir)).not.toContain('master.key');
    const store = await openStore(url, { readOnly: true });
    expect((await store.load()).keyCheck).toBeNull();
    await store.close();
  });

  it('without the token rotate and revoke refuse (ERR_PKCS11_REQUIRED) making no master key file; import without a master key is ERR_MASTER_KEY_MISSING', async () => {
    const { url, dir, kid } = await tokenStore();
    await expect(keysRotate({ store: url, ...quiet })).rejects.toMatchObject({ code: 'ERR_PKCS11_REQUIRED' });
    await expect(keysRevoke({ store: url, kid, ...quiet })).rejects.toMatchObject({
      code: 'ERR_PKCS11_REQUIRED',
    });
    expect(readdirSync(dir)).not.toContain('master.key');
    const { privateKey } = (await import('node:crypto')).generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(
      keysImport({
        store: url,
        pkcs11: hsm.uri,
        input: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        ...quiet,
      }),
    ).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_MISSING', message: expect.stringMatching(/master key/) });
    expect(await labels()).toEqual([kid]);
  });

  it('with a master key (a store made with one) the rotated row keeps its public_mac binding', async () => {
    const { key, text } = MasterKey.generate();
    const { url, kid } = await tokenStore(key);
    const [rotated] = await keysRotate({ store: url, pkcs11: hsm.uri, masterKey: text, ...quiet });
    expect(rotated!.kid).not.toBe(kid);
    const store = await openStore(url, { readOnly: true });
    const row = (await store.load()).keys.find((k) => k.kid === rotated!.kid)!;
    await store.close();
    expect(row.sealedPrivate).toBeNull();
    expect(row.publicMac).not.toBeNull();
    await inStep(url, hsm.uri);
  });

  it('the CLI leaves an object the store recorded but never committed (a server mid-rotation) for the server reconcile', async () => {
    const { url } = await tokenStore();
    const token = await openToken(hsm.uri);
    const made = await token.generate('ES256');
    await token.close();
    const store = await openStore(url);
    const own = await openToken(hsm.uri);
    const m = await KeyManager.open({
      store,
      custody: new Pkcs11Custody(own, { tokenName: 'keyscli' }),
      policies: ['ES256'],
      schedule: false,
      reconcileCustody: false,
    });
    await m.recordAudit('token-object-made', { kid: made.label, alg: 'ES256' });
    await m.close();
    await own.close();
    await store.close();
    await keysRotate({ store: url, pkcs11: hsm.uri, ...quiet });
    expect(await labels()).toContain(made.label);
  });

  it('the built CLI: --pkcs11 on rotate, JWKIT_PKCS11_URI on revoke; a wrong PIN exits 1 naming it', async () => {
    const { url, kid } = await tokenStore();
    const rotate = await jwkit(['keys', 'rotate', '--store', url, '--pkcs11', hsm.uri, '--json'], {
      env: cliEnv(),
      cwd: tmp.dir,
    });
    expect(rotate.stderr).toBe('');
    expect(rotate.code).toBe(0);
    const [current] = JSON.parse(rotate.stdout) as { kid: string }[];
    expect(current!.kid).not.toBe(kid);
    const revoke = await jwkit(['keys', 'revoke', current!.kid, '--store', url, '--json'], {
      env: { ...cliEnv(), JWKIT_PKCS11_URI: hsm.uri },
      cwd: tmp.dir,
    });
    expect(revoke.code).toBe(0);
    expect(await labels()).not.toContain(current!.kid);
    await inStep(url, hsm.uri);
    const wrong = await jwkit(
      [
        'keys',
        'rotate',
        '--store',
        url,
        '--pkcs11',
        `pkcs11:token=keyscli?module-path=${hsm.module}&pin-value=9999`,
      ],
      { env: cliEnv(), cwd: tmp.dir },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/ERR_PKCS11_PIN/);
    // neither the pin-value warning nor the error line carries the PIN
    expect(wrong.stderr).not.toContain('pin-value=9999');
    await inStep(url, hsm.uri);
  });
});

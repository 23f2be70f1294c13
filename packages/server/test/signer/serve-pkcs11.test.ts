/**
 * `jwkit serve --pkcs11` as a real process (the built CLI, packages/cli/dist/cli.js: run
 * `npm run build` first) on a real SoftHSM2 token:
 * - killed with SIGKILL right after each step of a rotation and a revocation (JWKIT_FAULT, see
 *   src/signer/fault.ts), then restarted: token and store agree (every published kid has its
 *   object, no jwkit object the store does not know, no pending object);
 * - a token signed through the admin API verifies with the published JWKS; a revocation destroys
 *   the key's object at once;
 * - a wrong PIN and a missing mechanism exit 1 naming the problem and creating nothing;
 * - a copy of the store without the token refuses to start (ERR_PKCS11_REQUIRED), while
 *   `jwkit keys list` still reads it.
 */

import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JWKSet, verifyJWT } from 'jwkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, jwkit } from '../../../cli/test/helpers.js';
import { openToken } from '../../src/pkcs11/index.js';
import { tempDir } from '../helpers.js';
import { type SoftHsm, softHsm, softHsmAvailable } from '../pkcs11/softhsm.js';
import { childEnv, emptyToken, inStep, type Server, serveProcess, stop } from './serve-process.js';

const ADMIN = 'pkcs11-serve-test-admin-token-0123456789';
const tmp = tempDir('jwkit-serve-pkcs11-');
let hsm: SoftHsm;

beforeAll(() => {
  if (!softHsmAvailable) return;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  hsm = softHsm('serve');
});
afterAll(() => {
  hsm?.cleanup();
  tmp.cleanup();
});

/** The child's environment: no fault injection from the outside (a test's own JWKIT_FAULT is kept). */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return childEnv({ SOFTHSM2_CONF: hsm.conf, JWKIT_ADMIN_TOKEN: ADMIN, ...extra }, /^JWKIT_FAULT/);
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

const pkcs11Args = () => ['--pkcs11', hsm.uri];

let n = 0;
function storeArgs(): { dir: string; url: string; args: string[] } {
  const dir = join(tmp.dir, `store-${n++}`);
  mkdirSync(dir);
  const url = `sqlite:${join(dir, 'keys.db')}`;
  return { dir, url, args: ['--store', url, '--algs', 'ES256'] };
}

describe.skipIf(!softHsmAvailable)('jwkit serve --pkcs11 (built CLI, SoftHSM2)', () => {
  it('signs through the token; the token verifies with the published JWKS; revoke destroys the object at once', async () => {
    await emptyToken(hsm.uri);
    const { url, args } = storeArgs();
    const s = serve([...args, ...pkcs11Args(), '--init']);
    const { url: base, admin: adminUrl } = await s.ready;
    expect(s.output()).toMatch(/PKCS#11 token open/);
    const res = await admin(adminUrl, 'sign', { claims: { sub: 'hsm' } });
    expect(res.status).toBe(200);
    const { token: jwt } = (await res.json()) as { token: string };
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: object[] };
    const { payload, header } = await verifyJWT(jwt, new JWKSet(jwks.keys as never), {
      algorithms: ['ES256'],
    });
    expect(payload.sub).toBe('hsm');
    const kid = String(header.kid);
    // revoke: the object goes at once (read from another session while the server runs)
    const revoked = await admin(adminUrl, `keys/${kid}/revoke`);
    expect(revoked.status).toBe(200);
    const token = await openToken(hsm.uri);
    const labels = (await token.list()).map((o) => o.label);
    await token.close();
    expect(labels).not.toContain(kid);
    expect(s.output()).toMatch(/destroyed token object \(revoked\)/);
    await stop(s);
    await inStep(url, hsm.uri);
  });

  // Each step of a rotation and a revocation, then a restart.
  const CASES = [
    { fault: 'token-generate', op: 'rotate', what: 'a key made in the token, not in the store' },
    { fault: 'key-commit', op: 'revoke', what: 'revocation committed, object not yet destroyed' },
    { fault: 'token-destroy', op: 'revoke', what: 'object destroyed after the revocation' },
    { fault: 'key-commit', op: 'rotate-unused', what: 'nothing to destroy, so the point is never reached' },
  ] as const;
  for (const c of CASES) {
    it(`JWKIT_FAULT=after:${c.fault} during ${c.op} (${c.what}): after a restart token and store agree`, async () => {
      await emptyToken(hsm.uri);
      const { url, args } = storeArgs();
      const first = serve([...args, ...pkcs11Args(), '--init']);
      await first.ready;
      await stop(first);
      const before = await inStep(url, hsm.uri);
      expect(before.published).toHaveLength(1);

      const faulty = serve([...args, ...pkcs11Args()], { JWKIT_FAULT: `after:${c.fault}` });
      const { admin: adminUrl } = await faulty.ready;
      const path = c.op === 'revoke' ? `keys/${before.published[0]}/revoke` : 'rotate';
      await admin(adminUrl, path, { alg: 'ES256' }).catch(() => undefined);
      if (c.op === 'rotate-unused') await stop(faulty);
      // The fault kills the process during the request; a process still alive after 10 s is a failure.
      const timer = setTimeout(() => faulty.child.kill('SIGKILL'), 10_000);
      const end = await faulty.exited;
      clearTimeout(timer);
      if (c.op !== 'rotate-unused') {
        expect(end.signal).toBe('SIGKILL');
        expect(faulty.output()).toContain(`jwkit-test: fault after ${c.fault}`);
      }

      const again = serve([...args, ...pkcs11Args()]);
      const { url: base } = await again.ready;
      const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      const ready = (await (await fetch(`${base}/readyz`)).json()) as { ready?: boolean };
      await stop(again);
      const after = await inStep(url, hsm.uri);
      expect(jwks.keys.map((k) => k.kid).sort()).toEqual(after.published);
      expect(after.objects).toEqual(after.published);
      expect(ready).toMatchObject({ ready: true });
      if (c.fault === 'token-generate') expect(again.output()).toMatch(/destroyed token object \(unknown\)/);
      if (c.fault === 'key-commit' && c.op === 'revoke')
        expect(again.output()).toMatch(/destroyed token object \(revoked\)/);
    });
  }

  it('SIGKILL after token-generate on the very first start: the restart destroys the object and makes the key again', async () => {
    await emptyToken(hsm.uri);
    const { url, args } = storeArgs();
    const faulty = serve([...args, ...pkcs11Args(), '--init'], { JWKIT_FAULT: 'after:token-generate' });
    const timer = setTimeout(() => faulty.child.kill('SIGKILL'), 10_000);
    const end = await faulty.exited;
    clearTimeout(timer);
    expect(end.signal).toBe('SIGKILL');
    expect(faulty.output()).toContain('jwkit-test: fault after token-generate');
    const again = serve([...args, ...pkcs11Args()]);
    await again.ready;
    await stop(again);
    expect(again.output()).toMatch(/destroyed token object \(unknown\)/);
    const after = await inStep(url, hsm.uri);
    expect(after.published).toHaveLength(1);
    expect(after.objects).toEqual(after.published);
  });

  it('a wrong PIN exits 1 naming the PIN, creating nothing (no store, no master key file)', async () => {
    const dir = join(tmp.dir, 'wrong-pin');
    mkdirSync(dir);
    const pin = join(dir, 'pin.txt');
    writeFileSync(pin, '9999\n', { mode: 0o600 });
    const uri = `pkcs11:token=serve?module-path=${hsm.module}&pin-source=file:${pin}`;
    const r = await jwkit(['serve', '--store', `sqlite:${join(dir, 'keys.db')}`, '--pkcs11', uri, '--init'], {
      env: env(),
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_PKCS11_PIN/);
    expect(r.stderr).toMatch(/PIN/);
    expect(readdirSync(dir)).toEqual(['pin.txt']);
  });

  it('an alg the token cannot do exits 1 naming it, creating nothing', async () => {
    const dir = join(tmp.dir, 'mechanism');
    mkdirSync(dir);
    const r = await jwkit(
      [
        'serve',
        '--store',
        `sqlite:${join(dir, 'keys.db')}`,
        '--algs',
        'ES256,Ed448',
        '--pkcs11',
        hsm.uri,
        '--init',
      ],
      { env: env(), cwd: dir },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_PKCS11_MECHANISM/);
    expect(r.stderr).toMatch(/Ed448/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a copy of the store without the token refuses to start (ERR_PKCS11_REQUIRED); keys list reads it', async () => {
    await emptyToken(hsm.uri);
    const { dir, url, args } = storeArgs();
    const s = serve([...args, ...pkcs11Args(), '--init']);
    await s.ready;
    await stop(s);
    const copy = join(tmp.dir, 'copy');
    mkdirSync(copy);
    for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(copy, f));
    const copyUrl = `sqlite:${join(copy, 'keys.db')}`;
    const r = await jwkit(
      ['serve', '--store', copyUrl, '--algs', 'ES256', '--port', '0', '--admin-port', '0'],
      {
        env: env(),
        cwd: copy,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERR_PKCS11_REQUIRED/);
    expect(r.stderr).toMatch(/PKCS#11/);
    const list = await jwkit(['keys', 'list', '--store', copyUrl], { env: env(), cwd: copy });
    expect(list.code).toBe(0);
    const { published } = await inStep(url, hsm.uri);
    expect(list.stdout).toContain(published[0]);
  });
});

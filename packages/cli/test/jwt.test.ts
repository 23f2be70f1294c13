/** `jwkit jwt sign|verify|decode`, black-box, including verification against a set served on loopback. */

import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jwkit, STACK_TRACE, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

const file = (name: string, text: string) => {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
};

let keyFile: string;
let pubFile: string;
let otherPubFile: string;
beforeAll(async () => {
  const key = (await jwkit(['generate', '--alg', 'ES256', '--kid', 'sig-1'])).stdout;
  keyFile = file('key.json', key);
  pubFile = file(
    'jwks.json',
    JSON.stringify({ keys: [JSON.parse((await jwkit(['public'], { input: key })).stdout)] }),
  );
  const other = (await jwkit(['generate', '--alg', 'ES256', '--kid', 'sig-1'])).stdout;
  otherPubFile = file('other.json', (await jwkit(['public'], { input: other })).stdout);
});

async function sign(args: string[] = []): Promise<string> {
  const r = await jwkit(['jwt', 'sign', '--key', keyFile, ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

describe('jwkit jwt sign + verify', () => {
  it('round-trips claims from options and --claims, printing the payload', async () => {
    const token = await sign([
      '--iss',
      'https://issuer.example',
      '--sub',
      'alice',
      '--aud',
      'api',
      '--exp',
      '15m',
      '--claims',
      '{"scope":"read"}',
    ]);
    expect(token.split('.')).toHaveLength(3);
    const r = await jwkit([
      'jwt',
      'verify',
      token,
      '--jwks',
      pubFile,
      '--iss',
      'https://issuer.example',
      '--aud',
      'api',
    ]);
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout);
    expect(payload).toMatchObject({ iss: 'https://issuer.example', sub: 'alice', aud: 'api', scope: 'read' });
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('reads the token from stdin and claims from a file; --full adds header and key', async () => {
    const token = await sign(['--claims', file('claims.json', '{"role":"admin"}'), '--no-iat']);
    const r = await jwkit(['jwt', 'verify', '--jwks', pubFile, '--full'], { input: `${token}\n` });
    expect(r.code).toBe(0);
    const full = JSON.parse(r.stdout);
    expect(full.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'sig-1' });
    expect(full.payload).toEqual({ role: 'admin' });
    expect(full.key).toMatchObject({ kid: 'sig-1', kty: 'EC' });
    expect(full.key.d).toBeUndefined();
  });

  it('verifies with a single JWK or a PEM public key as --jwks', async () => {
    const token = await sign();
    const pub = (await jwkit(['public', keyFile])).stdout;
    expect((await jwkit(['jwt', 'verify', token, '--jwks', file('one.json', pub)])).code).toBe(0);
    const pem = (await jwkit(['convert', '--to', 'pem', '--public', keyFile])).stdout;
    const r = await jwkit(['jwt', 'verify', token, '--jwks', file('pub.pem', pem), '--alg', 'ES256']);
    expect(r.code).toBe(0);
  });

  it.each([
    ['the wrong key', () => [`--jwks`, otherPubFile], 'ERR_JWT_SIGNATURE_INVALID'],
    ['another audience', () => ['--jwks', pubFile, '--aud', 'other'], 'ERR_JWT_AUD_MISMATCH'],
    ['another issuer', () => ['--jwks', pubFile, '--iss', 'https://evil.example'], 'ERR_JWT_'],
    ['an algorithm not allowed', () => ['--jwks', pubFile, '--alg', 'RS256'], 'ERR_'],
  ])('fails with exit 1 and the reason for %s', async (_, args, code) => {
    const token = await sign(['--aud', 'api', '--iss', 'https://issuer.example']);
    const r = await jwkit(['jwt', 'verify', token, ...args()]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(code);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('an expired token fails with ERR_JWT_EXPIRED unless within --clock-tolerance', async () => {
    const claims = JSON.stringify({ exp: Math.floor(Date.now() / 1000) - 5 });
    const token = await sign(['--claims', claims]);
    const r = await jwkit(['jwt', 'verify', token, '--jwks', pubFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_JWT_EXPIRED');
    expect((await jwkit(['jwt', 'verify', token, '--jwks', pubFile, '--clock-tolerance', '1m'])).code).toBe(
      0,
    );
  });

  it('a tampered token fails', async () => {
    const [h, p, s] = (await sign()).split('.');
    const forged = `${h}.${Buffer.from('{"sub":"root"}').toString('base64url')}.${s}`;
    const r = await jwkit(['jwt', 'verify', forged, '--jwks', pubFile]);
    expect(r.code).toBe(1);
    expect(p).not.toBe(forged.split('.')[1]);
  });

  it('signs with an oct key and a key chosen from a private set by --kid', async () => {
    const oct = file(
      'oct.json',
      (await jwkit(['generate', '--kty', 'oct', '--alg', 'HS256', '--kid', 'h'])).stdout,
    );
    const token = (await jwkit(['jwt', 'sign', '--key', oct, '--sub', 's'])).stdout.trim();
    expect((await jwkit(['jwt', 'verify', token, '--jwks', oct])).code).toBe(0);
    const set = file(
      'private-set.json',
      JSON.stringify({
        keys: [
          JSON.parse((await jwkit(['generate', '--alg', 'RS256', '--kid', 'r'])).stdout),
          JSON.parse((await jwkit(['generate', '--alg', 'Ed25519', '--kid', 'e'])).stdout),
        ],
      }),
    );
    const ambiguous = await jwkit(['jwt', 'sign', '--key', set]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('--kid');
    const ed = await jwkit(['jwt', 'sign', '--key', set, '--kid', 'e']);
    expect(ed.code).toBe(0);
    expect(JSON.parse(Buffer.from(ed.stdout.split('.')[0]!, 'base64url').toString())).toMatchObject({
      alg: 'Ed25519',
      kid: 'e',
    });
  });

  it('refuses to sign with a public key', async () => {
    const r = await jwkit(['jwt', 'sign', '--key', pubFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no private key');
  });

  it.each([
    ['claims that are not an object', ['--claims', '[1,2]']],
    ['claims with a duplicate member', ['--claims', '{"a":1,"a":2}']],
  ])('%s exit 1', async (_, args) => {
    const r = await jwkit(['jwt', 'sign', '--key', keyFile, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('a bad duration is a bad option value: exit 2 (issue 13.14, docs/api/cli.md)', async () => {
    const r = await jwkit(['jwt', 'sign', '--key', keyFile, '--exp', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--exp: ');
    expect(r.stderr).toContain('[ERR_CLI_USAGE]');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('neither a token nor a file is a usage error', async () => {
    expect((await jwkit(['jwt', 'verify', 'not-a-token', '--jwks', pubFile])).code).toBe(2);
  });
});

describe('jwkit jwt verify --jwks URL', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url !== '/jwks.json') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'max-age=300' });
      res.end(readFileSync(pubFile));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches the set and verifies', async () => {
    const token = await sign(['--sub', 'remote']);
    const r = await jwkit(['jwt', 'verify', token, '--jwks', `${base}/jwks.json`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).sub).toBe('remote');
    expect(hits).toBeGreaterThan(0);
  });

  it('a set that cannot be fetched fails with exit 1 and the HTTP status', async () => {
    const r = await jwkit(['jwt', 'verify', await sign(), '--jwks', `${base}/missing.json`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('404');
  });
});

describe('jwkit jwt decode', () => {
  it('prints header and payload and says it did not verify', async () => {
    const token = await sign(['--sub', 'bob', '--exp', '1h']);
    const r = await jwkit(['jwt', 'decode', token]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"sub": "bob"');
    expect(r.stdout).toMatch(/^exp: \d{4}-\d\d-\d\dT/m);
    expect(r.stdout).toContain('NOT VERIFIED');
    const json = await jwkit(['jwt', 'decode', '--json'], { input: token });
    expect(JSON.parse(json.stdout)).toMatchObject({
      header: { alg: 'ES256' },
      payload: { sub: 'bob' },
      verified: false,
    });
    expect(json.stderr).toContain('NOT verified');
  });

  it('a malformed token exits 1; alg none is refused', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    const r = await jwkit(['jwt', 'decode', none]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_JWT_');
    const bad = await jwkit(['jwt', 'decode', 'a.b.c']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toMatch(STACK_TRACE);
  });
});

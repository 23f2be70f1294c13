/**
 * Issue 13, the CLI's own contract and the inspector's fetch policy (items 12-15 and 17), black
 * box against the built bundle. Each block failed before its fix.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateJWK, type JWK, jwkToDER, toPublic } from 'jwkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jwkit, STACK_TRACE, tempDir } from './helpers.js';

const tmp = tempDir('jwkit-issue13-');
let key: JWK;
let token: string;
const keyFile = join(tmp.dir, 'key.json');
const pubFile = join(tmp.dir, 'key.pub.json');

beforeAll(async () => {
  assertBuilt();
  key = (await generateJWK({ alg: 'ES256' })) as JWK;
  writeFileSync(keyFile, JSON.stringify({ ...key, kid: 'k1' }));
  writeFileSync(pubFile, JSON.stringify({ ...toPublic(key), kid: 'k1' }));
  const r = await jwkit(['jwt', 'sign', '--key', keyFile, '--sub', 'alice', '--exp', '1h']);
  expect(r.code).toBe(0);
  token = r.stdout.trim();
});
afterAll(() => tmp.cleanup());

describe('13.13: a malformed token is invalid input (exit 1 with the reason), not a usage error', () => {
  const cases: [string, () => string, string][] = [
    ['four parts', () => `${token}.x`, 'ERR_JWT_MALFORMED'],
    ['padding', () => `${token}==`, 'ERR_JWT_BASE64URL'],
    [
      'the standard alphabet',
      () => token.replace(/-/g, '+').replace(/_/g, '/') + (/[-_]/.test(token) ? '' : '+'),
      'ERR_JWT_BASE64URL',
    ],
    ['inner whitespace', () => `${token.slice(0, -4)} ${token.slice(-4)}`, 'ERR_JWT_BASE64URL'],
  ];
  it.each(cases)('%s', async (_, make, code) => {
    for (const cmd of [
      ['jwt', 'verify', make(), '--jwks', pubFile],
      ['jwt', 'decode', make()],
    ]) {
      const r = await jwkit(cmd);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`[${code}]`);
      expect(r.stderr).not.toContain('neither a JWT');
    }
  });

  it('a missing file is still a usage error', async () => {
    const r = await jwkit(['jwt', 'decode', join(tmp.dir, 'token.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[ERR_CLI_USAGE]');
  });

  it('a header that starts with a UTF-8 BOM is refused although its HMAC is valid', async () => {
    const secret = Buffer.alloc(32, 9);
    const octFile = join(tmp.dir, 'oct.json');
    writeFileSync(octFile, JSON.stringify({ kty: 'oct', k: secret.toString('base64url'), alg: 'HS256' }));
    const h = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"alg":"HS256"}')]).toString(
      'base64url',
    );
    const p = Buffer.from('{"sub":"alice"}').toString('base64url');
    const bom = `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
    const r = await jwkit(['jwt', 'verify', bom, '--jwks', octFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[ERR_JWT_HEADER_INVALID]');
    expect(r.stdout).toBe('');
  });
});

describe('13.14: bad option values exit 2 in the documented form', () => {
  it.each([
    [['serve', '--rotation-period', '30x', '--port', '0']],
    [['serve', '--algs', 'ES257', '--port', '0']],
    [['keys', 'list', '--algs', 'ES257']],
    [['jwt', 'sign', '--key', 'KEY', '--exp', '15x']],
    [['jwt', 'verify', 'TOKEN', '--jwks', 'PUB', '--clock-tolerance', '1 fortnight']],
    [['inspect', '--timeout', 'abc', 'x.json']],
    [['generate', '--bogus']],
    [['frobnicate']],
  ])('%j', async (args) => {
    const argv = args.map((a) => (a === 'KEY' ? keyFile : a === 'PUB' ? pubFile : a === 'TOKEN' ? token : a));
    const r = await jwkit(argv, { cwd: tmp.dir, timeout: 15_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^jwkit: (?:.+: )?error: .+ \[ERR_[A-Z_]+\]$/m);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('13.15: short DER keys are read', () => {
  it.each([
    [{ kty: 'OKP', crv: 'Ed25519' }],
    [{ kty: 'OKP', crv: 'X25519' }],
    [{ kty: 'OKP', crv: 'X448' }],
    [{ kty: 'OKP', crv: 'Ed448' }],
    [{ kty: 'EC', crv: 'P-256' }],
    [{ kty: 'EC', crv: 'secp256k1' }],
  ] as const)('%j PKCS#8 and SPKI from jwkToDER', async (spec) => {
    const jwk = (await generateJWK(spec)) as JWK;
    for (const [name, der] of [
      ['pkcs8', await jwkToDER(jwk)],
      ['spki', await jwkToDER(toPublic(jwk))],
    ] as const) {
      const file = join(tmp.dir, `${spec.crv}.${name}.der`);
      writeFileSync(file, der);
      const r = await jwkit(['convert', '--to', 'jwk', file]);
      expect(r.code, `${name} (${der.length} bytes): ${r.stderr}`).toBe(0);
      const out = JSON.parse(r.stdout) as JWK;
      expect(out.x).toBe(jwk.x);
      expect('d' in out).toBe(name === 'pkcs8');
    }
  });
});

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
}

describe('13.17: a PEM private key with its own certificate is ONE key with x5c', () => {
  it.runIf(opensslAvailable())('convert, public and inspect see one key', async () => {
    const k = join(tmp.dir, 'srv.key');
    const c = join(tmp.dir, 'srv.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        k,
        '-out',
        c,
        '-subj',
        '/CN=jwkit-test',
        '-days',
        '30',
      ],
      { stdio: 'ignore' },
    );
    const both = join(tmp.dir, 'srv.pem');
    writeFileSync(both, `${readFileSync(k, 'utf8')}${readFileSync(c, 'utf8')}`);
    const conv = await jwkit(['convert', '--to', 'jwk', both]);
    expect(conv.code, conv.stderr).toBe(0);
    const jwk = JSON.parse(conv.stdout) as JWK & { x5c?: string[] };
    expect(jwk.d).toBeDefined();
    expect(jwk.x5c).toHaveLength(1);
    const inspect = await jwkit(['inspect', '--json', both]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect((JSON.parse(inspect.stdout) as { keys: unknown[] }).keys).toHaveLength(1);
  });
});

/** A loopback server whose routes the test sets. */
async function serve(
  routes: Record<string, { type?: string; body: string }>,
): Promise<{ server: Server; origin: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (!route) return res.writeHead(404).end('not found');
    res.writeHead(200, {
      'content-type': route.type ?? 'application/json',
      'cache-control': 'max-age=300',
      etag: '"x"',
    });
    res.end(route.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

describe('13.17: an origin finds its /.well-known/jwks.json', () => {
  it('after trying discovery', async () => {
    const set = JSON.stringify({ keys: [{ ...toPublic(key), kid: 'k1', alg: 'ES256', use: 'sig' }] });
    const s = await serve({
      '/': { type: 'text/html', body: '<html></html>' },
      '/.well-known/jwks.json': { body: set },
    });
    try {
      const r = await jwkit(['inspect', '--json', s.origin]);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { type: string; keys: { kid: string }[] };
      expect(report.type).toBe('jwks');
      expect(report.keys.map((k) => k.kid)).toEqual(['k1']);
      expect(s.hits).toEqual(['/', '/.well-known/openid-configuration', '/.well-known/jwks.json']);
    } finally {
      s.server.close();
    }
  });
});

describe('13.12: a discovery document cannot make inspect fetch internal addresses', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://10.0.0.1/jwks.json',
    'http://[::ffff:127.0.0.1]:1/jwks.json',
    'http://localhost:1/jwks.json',
  ])('jwks_uri %s is refused unless --allow-private', async (jwksURI) => {
    const s = await serve({
      '/.well-known/openid-configuration': {
        body: JSON.stringify({ issuer: 'https://elsewhere.example', jwks_uri: jwksURI }),
      },
    });
    try {
      const r = await jwkit(['inspect', '--json', `${s.origin}/.well-known/openid-configuration`], {
        timeout: 15_000,
      });
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { problems: { code: string; message: string }[] };
      const codes = report.problems.map((p) => p.code);
      expect(codes).toContain('DISCOVERY_ISSUER_MISMATCH');
      expect(codes).toContain('DISCOVERY_JWKS_URI_PRIVATE');
      expect(report.problems.find((p) => p.code === 'DISCOVERY_JWKS_URI_PRIVATE')?.message).toContain(
        'ERR_REMOTE_JWKS_PRIVATE_ADDRESS',
      );
    } finally {
      s.server.close();
    }
  });

  it('a jwks_uri on the host the user named is fetched; --allow-private lifts the policy', async () => {
    const set = JSON.stringify({ keys: [{ ...toPublic(key), kid: 'k1', alg: 'ES256', use: 'sig' }] });
    const routes: Record<string, { body: string }> = { '/keys': { body: set } };
    const s = await serve(routes);
    try {
      routes['/.well-known/openid-configuration'] = {
        body: JSON.stringify({ issuer: s.origin, jwks_uri: `${s.origin}/keys` }),
      };
      const same = await jwkit(['inspect', '--json', s.origin]);
      expect(same.code, same.stdout).toBe(0);
      // The same server under another name (localhost): not the host the user named.
      routes['/.well-known/openid-configuration'] = {
        body: JSON.stringify({
          issuer: s.origin,
          jwks_uri: `${s.origin.replace('127.0.0.1', 'localhost')}/keys`,
        }),
      };
      const refused = await jwkit(['inspect', '--json', s.origin]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('DISCOVERY_JWKS_URI_PRIVATE');
      const allowed = await jwkit(['inspect', '--json', '--allow-private', s.origin]);
      expect(allowed.code, allowed.stdout).toBe(0);
      expect(s.hits.filter((h) => h === '/keys')).toHaveLength(2);
    } finally {
      s.server.close();
    }
  });

  it('a redirect to an internal host is refused with a code', async () => {
    const server = createServer((_req, res) =>
      res.writeHead(302, { location: 'http://169.254.169.254/jwks' }).end(),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await jwkit(['inspect', `${origin}/.well-known/jwks.json`], { timeout: 15_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('[ERR_REMOTE_JWKS_PRIVATE_ADDRESS]');
    } finally {
      server.close();
    }
  });
});

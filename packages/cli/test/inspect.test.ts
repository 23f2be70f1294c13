/**
 * `jwkit inspect`, black-box: every real-world set inspects cleanly (exit 0); reports carry
 * problems with severity, code, path and RFC; URLs are linted as published sets against a real
 * HTTP server on loopback.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../../test/helpers/vectors.js';
import { assertBuilt, jwkit, runProcess, STACK_TRACE, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

interface Problem {
  severity: string;
  code: string;
  path: string;
  message: string;
  rfc?: string;
}
interface Report {
  type: string;
  valid: boolean;
  errors: number;
  warnings: number;
  keys: {
    status: string;
    kty?: string;
    bits?: number;
    crv?: string;
    private?: boolean;
    thumbprint?: string;
    certificates?: Record<string, unknown>[];
    problems: Problem[];
  }[];
  problems: Problem[];
  http?: Record<string, string>;
  discovery?: Record<string, unknown>;
  jwt?: { header: Record<string, unknown>; payload: Record<string, unknown> };
}
const codes = (r: Report) => r.problems.map((p) => p.code);

async function inspectJSON(
  args: string[],
  input?: string,
): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await jwkit(['inspect', '--json', ...args], input === undefined ? {} : { input });
  expect(r.stderr).not.toMatch(STACK_TRACE);
  return {
    code: r.code,
    report: r.stdout ? (JSON.parse(r.stdout) as Report) : ({} as Report),
    stderr: r.stderr,
  };
}

const REAL_WORLD = join(FIXTURES, 'real-world');
const fixtures = readdirSync(REAL_WORLD).filter((f) => f.endsWith('.json'));

describe('jwkit inspect FILE', () => {
  it.each(fixtures)('real-world %s inspects with exit 0', async (name) => {
    const r = await jwkit(['inspect', join(REAL_WORLD, name)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nvalid: 0 errors, \d+ warnings?\n$/);
  });

  it('reports type, size, alg, use, kid, thumbprint and certificates (microsoft-azure-ad-2015)', async () => {
    const { code, report } = await inspectJSON([join(REAL_WORLD, 'microsoft-azure-ad-2015.json')]);
    expect(code).toBe(0);
    expect(report.type).toBe('jwks');
    const [key] = report.keys;
    expect(key).toMatchObject({ status: 'ok', kty: 'RSA', bits: 2048, use: 'sig', private: false });
    expect(key!.thumbprint).toMatch(/^[\w-]{43}$/);
    expect(key!.certificates![0]).toMatchObject({
      subject: 'CN=accounts.accesscontrol.windows.net',
      expired: true,
    });
    expect(key!.problems.map((p) => p.code)).toContain('B64URL_PADDING');
    for (const p of report.problems)
      expect(p).toMatchObject({
        severity: expect.any(String),
        code: expect.any(String),
        path: expect.stringMatching(/^keys\[\d\]/),
        rfc: expect.stringMatching(/^RFC /),
      });
  });

  it('legacy RSA-1024 keys are a warning for a file (RSA_MODULUS_WEAK); --strict makes them errors', async () => {
    const file = join(REAL_WORLD, 'yahoo.json');
    const { code, report } = await inspectJSON([file]);
    expect(code).toBe(0);
    expect(codes(report)).toContain('RSA_MODULUS_WEAK');
    const strict = await inspectJSON([file, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.report.valid).toBe(false);
    expect(strict.report.warnings).toBe(0);
  });

  it('a broken key exits 1 and names the problem and where it is', async () => {
    const key = JSON.parse((await jwkit(['generate', '--alg', 'ES256'])).stdout);
    key.y = key.x; // almost certainly not on the curve
    const { code, report } = await inspectJSON([], JSON.stringify(key));
    expect(code).toBe(1);
    expect(report.keys[0]!.status).toBe('skipped');
    expect(report.problems).toContainEqual(
      expect.objectContaining({ severity: 'error', code: 'EC_POINT_NOT_ON_CURVE', rfc: 'RFC 7518 §6.2.1.3' }),
    );
    const human = await jwkit(['inspect'], { input: JSON.stringify(key) });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('EC_POINT_NOT_ON_CURVE');
    expect(human.stdout).toMatch(/invalid: 1 error/);
  });

  it('a set keeps its good keys next to an unusable one, which is skipped with a warning and its reasons', async () => {
    const good = JSON.parse((await jwkit(['generate', '--alg', 'Ed25519'])).stdout);
    const set = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'bad', n: 'AQAB', e: 'AQAB' }, good] });
    const { code, report } = await inspectJSON([], set);
    expect(code).toBe(0);
    expect(report.keys.map((k) => k.status)).toEqual(['skipped', 'ok']);
    expect(report.keys[1]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', private: true });
    expect(report.keys[0]!.problems.map((p) => p.code)).toEqual(['SET_KEY_SKIPPED']);
    const reasons = (report.keys[0] as { reasons?: Problem[] }).reasons!;
    expect(reasons).toContainEqual(
      expect.objectContaining({ severity: 'error', code: 'RSA_MODULUS_TOO_SHORT', path: 'keys[0].n' }),
    );
    const human = await jwkit(['inspect'], { input: set });
    expect(human.stdout).toMatch(/skipped[\s\S]*because:[\s\S]*RSA_MODULUS_TOO_SHORT/);
    expect((await jwkit(['inspect', '--strict'], { input: set })).code).toBe(1);
  });

  it('PEM: a certificate with its subject, issuer and validity', async () => {
    const cert = join(tmp.dir, 'cert.pem');
    await runProcess('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=inspect.example/O=jwkit',
      '-days',
      '30',
      '-keyout',
      join(tmp.dir, 'cert.key'),
      '-out',
      cert,
    ]);
    const { code, report } = await inspectJSON([cert]);
    expect(code).toBe(0);
    expect(report.type).toBe('pem');
    expect(report.keys[0]!.certificates![0]).toMatchObject({
      subject: expect.stringContaining('CN=inspect.example'),
      expired: false,
    });
    const human = await jwkit(['inspect', cert]);
    expect(human.stdout).toMatch(/subject:\s+.*CN=inspect\.example/);
  });

  it('a JWT: header and payload, marked as not verified', async () => {
    const key = join(tmp.dir, 'k.json');
    writeFileSync(key, (await jwkit(['generate'])).stdout);
    const token = (await jwkit(['jwt', 'sign', '--key', key, '--sub', 'x', '--exp', '1m'])).stdout;
    const { code, report } = await inspectJSON([], token);
    expect(code).toBe(0);
    expect(report.type).toBe('jwt');
    expect(report.jwt).toMatchObject({ header: { alg: 'ES256' }, payload: { sub: 'x' }, verified: false });
  });

  it('--published lints a file as a published set: private keys are errors', async () => {
    const priv = (await jwkit(['generate', '--alg', 'ES256'])).stdout;
    const set = JSON.stringify({ keys: [JSON.parse(priv)] });
    expect((await inspectJSON([], set)).code).toBe(0);
    const { code, report } = await inspectJSON(['--published'], set);
    expect(code).toBe(1);
    expect(codes(report)).toContain('PRIVATE_NOT_ALLOWED');
  });
});

describe('jwkit inspect URL (loopback HTTP server)', () => {
  let server: Server;
  let base: string;
  const routes = new Map<string, { status?: number; headers?: OutgoingHttpHeaders; body: string }>();
  let goodSet: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const route = routes.get(req.url ?? '');
      if (!route) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(route.status ?? 200, route.headers ?? {}).end(route.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const keys = await Promise.all(
      ['ES256', 'RS256'].map(async (alg) =>
        JSON.parse(
          (
            await jwkit(['public'], {
              input: (await jwkit(['generate', '--alg', alg, '--use', 'sig'])).stdout,
            })
          ).stdout,
        ),
      ),
    );
    goodSet = JSON.stringify({ keys });
    const good = {
      'content-type': 'application/jwk-set+json',
      'cache-control': 'public, max-age=300',
      etag: '"v1"',
    };
    routes.set('/good/jwks.json', { headers: good, body: goodSet });
    routes.set('/bare/jwks.json', {
      body: JSON.stringify({ keys: keys.map(({ kid, alg, use, ...k }) => k) }),
    });
    routes.set('/nostore/jwks.json', { headers: { ...good, 'cache-control': 'no-store' }, body: goodSet });
    routes.set('/long/jwks.json', {
      headers: { ...good, 'cache-control': 'max-age=31536000' },
      body: goodSet,
    });
    const priv = (await jwkit(['generate', '--alg', 'ES256', '--use', 'sig'])).stdout;
    routes.set('/private/jwks.json', { headers: good, body: JSON.stringify({ keys: [JSON.parse(priv)] }) });
    routes.set('/weak/jwks.json', {
      headers: good,
      body: readFileSync(join(REAL_WORLD, 'google-2015-01-v2-certs.json'), 'utf8'),
    });
    routes.set('/issuer/.well-known/openid-configuration', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ issuer: `${base}/issuer`, jwks_uri: `${base}/good/jwks.json` }),
    });
    routes.set('/wrong-issuer/.well-known/openid-configuration', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ issuer: 'https://someone-else.example', jwks_uri: '/good/jwks.json' }),
    });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a well-published set: exit 0, its HTTP headers reported, only the loopback-http warning', async () => {
    const { code, report } = await inspectJSON([`${base}/good/jwks.json`]);
    expect(code).toBe(0);
    expect(report.http).toMatchObject({
      status: 200,
      contentType: 'application/jwk-set+json',
      cacheControl: 'public, max-age=300',
      etag: '"v1"',
    });
    expect(codes(report)).toEqual(['HTTP_NOT_HTTPS']);
    expect(report.problems[0]!.severity).toBe('warning');
    expect(report.keys).toHaveLength(2);
  });

  it('missing kid/alg/use and caching headers are warnings; --strict fails on them', async () => {
    const url = `${base}/bare/jwks.json`;
    const { code, report } = await inspectJSON([url]);
    expect(code).toBe(0);
    for (const c of [
      'PUBLISHED_KID_MISSING',
      'PUBLISHED_ALG_MISSING',
      'PUBLISHED_USE_MISSING',
      'HTTP_CACHE_HEADERS_MISSING',
      'HTTP_VALIDATOR_MISSING',
      'HTTP_CONTENT_TYPE',
    ]) {
      expect(codes(report)).toContain(c);
    }
    expect(report.problems.find((p) => p.code === 'PUBLISHED_KID_MISSING')!.path).toBe('keys[0]');
    expect((await inspectJSON([url, '--strict'])).code).toBe(1);
  });

  it.each([
    ['nostore', 'HTTP_NOT_CACHEABLE'],
    ['long', 'HTTP_MAX_AGE_LONG'],
  ])('caching: %s gives %s', async (route, code) => {
    const { report } = await inspectJSON([`${base}/${route}/jwks.json`]);
    expect(codes(report)).toContain(code);
  });

  it('a published private key is an error (exit 1)', async () => {
    const { code, report } = await inspectJSON([`${base}/private/jwks.json`]);
    expect(code).toBe(1);
    expect(codes(report)).toContain('PRIVATE_NOT_ALLOWED');
  });

  it('published weak RSA keys and expired certificates are errors', async () => {
    const { code, report } = await inspectJSON([`${base}/weak/jwks.json`]);
    expect(code).toBe(1);
    expect(codes(report)).toContain('RSA_MODULUS_TOO_SHORT');
  });

  it('follows a discovery document to its jwks_uri', async () => {
    const { code, report } = await inspectJSON([`${base}/issuer/.well-known/openid-configuration`]);
    expect(code).toBe(0);
    expect(report.discovery).toMatchObject({ issuer: `${base}/issuer`, jwks_uri: `${base}/good/jwks.json` });
    expect(report.keys).toHaveLength(2);
    const human = await jwkit(['inspect', `${base}/issuer/.well-known/openid-configuration`]);
    expect(human.stdout).toContain('discovery document');
  });

  it('finds the discovery document from the bare issuer URL', async () => {
    const { code, report } = await inspectJSON([`${base}/issuer`]);
    expect(code).toBe(0);
    expect(report.discovery?.url).toBe(`${base}/issuer/.well-known/openid-configuration`);
  });

  it('an issuer that does not match its discovery URL is an error', async () => {
    const { code, report } = await inspectJSON([`${base}/wrong-issuer/.well-known/openid-configuration`]);
    expect(code).toBe(1);
    expect(codes(report)).toContain('DISCOVERY_ISSUER_MISMATCH');
    expect(report.keys).toHaveLength(2); // the relative jwks_uri was resolved and linted anyway
  });

  it('a URL that answers 404 exits 1 with the status', async () => {
    const r = await jwkit(['inspect', `${base}/nothing/jwks.json`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('404');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('a refused connection exits 1', async () => {
    const r = await jwkit(['inspect', 'http://127.0.0.1:1/jwks.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_REMOTE_JWKS_NETWORK');
  });
});

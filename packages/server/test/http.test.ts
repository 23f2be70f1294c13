import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../src/crypto-at-rest.js';
import { createApp } from '../src/http/app.js';
import { KeyManager } from '../src/key-manager.js';
import { openStore } from '../src/stores/open.js';
import type { KeyStore } from '../src/stores/store.js';
import { tempDir } from './helpers.js';

const TOKEN = 'admin-token-0123456789abcdef';
const tmp = tempDir();
let store: KeyStore;
let manager: KeyManager;
let app: ReturnType<typeof createApp>;
let bare: ReturnType<typeof createApp>;

beforeAll(async () => {
  store = await openStore(`sqlite:${join(tmp.dir, 'keys.db')}`);
  manager = await KeyManager.open({
    store,
    masterKey: MasterKey.generate().key,
    policies: ['ES256', 'RS256'],
  });
  mkdirSync(join(tmp.dir, 'web'));
  writeFileSync(join(tmp.dir, 'web', 'index.html'), '<!doctype html><title>jwkit</title>');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'outside the web root');
  app = createApp(manager, { adminToken: TOKEN, issuer: 'https://issuer.example', bodyLimit: 4096 });
  bare = createApp(manager, { webRoot: join(tmp.dir, 'web') });
});
afterAll(async () => {
  await manager.close();
  await store.close();
  tmp.cleanup();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET', target = app) =>
  target.fetch(new Request(`http://localhost${path}`, { method, headers }));
const admin = (path: string, body?: unknown, token = TOKEN, method = 'POST') =>
  app.fetch(
    new Request(`http://localhost/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }),
  );

describe('JWKS endpoint', () => {
  it('serves the public set on both paths with the caching, CORS and type headers', async () => {
    for (const path of ['/.well-known/jwks.json', '/jwks.json']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
      expect(res.headers.get('etag')).toMatch(/^"[\w-]{43}"$/);
      expect(res.headers.get('cache-control')).toBe('public, max-age=900, stale-while-revalidate=60');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      const body = (await res.json()) as { keys: { kid: string; kty: string }[] };
      expect(body.keys.map((k) => k.kid)).toEqual(manager.publication().keys.map((k) => k.kid));
      expect(body.keys.map((k) => k.kty).sort()).toEqual(['EC', 'RSA']);
    }
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const full = await get('/jwks.json');
    const head = await get('/jwks.json', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(full.headers.get('etag'));
    expect(head.headers.get('content-length')).toBe(String((await full.arrayBuffer()).byteLength));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 304 to a matching If-None-Match (strong, weak, lists, *)', async () => {
    const etag = (await get('/jwks.json')).headers.get('etag')!;
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await get('/jwks.json', { 'if-none-match': inm });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('cache-control')).toMatch(/max-age/);
      expect(await res.text()).toBe('');
    }
    expect((await get('/jwks.json', { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('serves br and gzip forms of the same bytes, as Accept-Encoding allows', async () => {
    const plain = Buffer.from(await (await get('/jwks.json')).arrayBuffer());
    const br = await get('/jwks.json', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer()))).toEqual(plain);
    const gz = await get('/jwks.json', { 'accept-encoding': 'br;q=0, gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer()))).toEqual(plain);
    const id = await get('/jwks.json', { 'accept-encoding': 'identity' });
    expect(id.headers.get('content-encoding')).toBeNull();
  });

  it('keeps the ETag until the keys change, then serves the new set', async () => {
    const a = (await get('/jwks.json')).headers.get('etag');
    expect((await get('/jwks.json')).headers.get('etag')).toBe(a);
    await manager.rotate('ES256');
    const res = await get('/jwks.json', { 'if-none-match': a! });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(a);
  });

  it('answers the CORS preflight', async () => {
    const res = await get('/.well-known/jwks.json', { origin: 'https://a.example' }, 'OPTIONS');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/If-None-Match/);
  });

  it('serves application/json when asked to', async () => {
    const json = createApp(manager, { contentType: 'json' });
    expect((await get('/jwks.json', {}, 'GET', json)).headers.get('content-type')).toBe('application/json');
  });
});

describe('discovery, health and metrics', () => {
  it('serves openid-configuration only with an issuer', async () => {
    const res = await get('/.well-known/openid-configuration');
    expect(await res.json()).toEqual({
      issuer: 'https://issuer.example',
      jwks_uri: 'https://issuer.example/.well-known/jwks.json',
      id_token_signing_alg_values_supported: ['ES256', 'RS256'],
    });
    expect((await get('/.well-known/openid-configuration', {}, 'GET', bare)).status).toBe(404);
  });

  it('answers healthz and readyz', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', store: 'ok' });
  });

  it('readyz on the public listener leaves out where the store and the key custody are', async () => {
    const publicApp = createApp(manager, { surface: 'public' });
    const shown = (await (await get('/readyz', {}, 'GET', publicApp)).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ status: 'ready', store: 'ok', custody: { kind: 'software' } });
    expect(shown).not.toHaveProperty('storeId');
    expect(shown.custody).toEqual({ kind: 'software' });
    const full = (await (await get('/readyz')).json()) as Record<string, unknown>;
    expect(full.storeId).toEqual(expect.stringContaining('inode'));
    expect(full.custody).toMatchObject({ kind: 'software', description: expect.any(String) });
  });

  it('exposes Prometheus metrics: requests, rotations, keys by state, store latency', async () => {
    await get('/jwks.json');
    const text = await (await get('/metrics')).text();
    expect(text).toMatch(/^jwkit_http_requests_total\{route="jwks",status="200"\} \d+$/m);
    expect(text).toMatch(/^jwkit_rotations_total\{alg="ES256"\} [1-9]\d*$/m);
    expect(text).toMatch(/^jwkit_keys\{alg="ES256",state="current"\} 1$/m);
    expect(text).toMatch(/^jwkit_store_latency_seconds_bucket\{op="load",le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^jwkit_store_up 1$/m);
    expect(text).toContain('# TYPE jwkit_store_latency_seconds histogram');
  });
});

describe('admin API', () => {
  it('does not exist without a token (404, even with a web app that falls back to index.html)', async () => {
    for (const path of ['/admin', '/admin/keys', '/admin/rotate']) {
      const res = await get(path, { authorization: `Bearer ${TOKEN}` }, 'GET', bare);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'ERR_NOT_FOUND' } });
    }
  });

  it('answers 401 with a Bearer challenge to a wrong or missing token', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-wrong-token' },
      { authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of attempts) {
      const res = await get('/admin/keys', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ error: { code: 'ERR_UNAUTHORIZED' } });
    }
    expect((await admin('/keys', undefined, `${TOKEN}x`, 'GET')).status).toBe(401);
  });

  it('lists keys with their schedule', async () => {
    const res = await admin('/keys', undefined, TOKEN, 'GET');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys[0]).toEqual(
      expect.objectContaining({
        kid: expect.any(String),
        alg: 'ES256',
        state: 'current',
        created: expect.any(String),
        activates: expect.any(String),
        retires: expect.any(String),
        expires: null,
      }),
    );
  });

  it('signs a token that verifies against the served JWKS (jose)', async () => {
    const res = await admin('/sign', { claims: { sub: 'alice' }, alg: 'RS256', expiresIn: '15m' });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const jwks = jose.createLocalJWKSet((await (await get('/jwks.json')).json()) as jose.JSONWebKeySet);
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, {
      issuer: 'https://issuer.example',
    });
    expect(payload.sub).toBe('alice');
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(protectedHeader.alg).toBe('RS256');
    const tooLong = await admin('/sign', { claims: {}, expiresIn: '2h' });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ error: { code: 'ERR_TOKEN_LIFETIME' } });
  });

  it('rotates, imports and revokes; a revoked key leaves the JWKS at once', async () => {
    const rotated = await admin('/rotate', { alg: 'ES256' });
    expect(rotated.status).toBe(200);
    const [cur] = ((await rotated.json()) as { rotated: { kid: string }[] }).rotated;
    const pair = await jose.generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(pair.privateKey)), kid: 'imported-1' };
    const imported = await admin('/keys', { jwk });
    expect(imported.status).toBe(201);
    expect(await imported.json()).toMatchObject({ key: { kid: 'imported-1', state: 'next', alg: 'ES256' } });
    expect((await admin('/keys', { jwk })).status).toBe(409);
    const revoked = await admin(`/keys/${encodeURIComponent(cur!.kid)}/revoke`);
    expect(revoked.status).toBe(200);
    const kids = ((await (await get('/jwks.json')).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );
    expect(kids).not.toContain(cur!.kid);
    expect(kids).toContain('imported-1');
    expect((await admin('/keys/nope/revoke')).status).toBe(404);
  });

  it('answers bad requests with JSON error codes', async () => {
    const cases: [unknown, number, string][] = [
      ['{"alg":', 400, 'ERR_BAD_REQUEST'],
      ['{"alg":"ES256","alg":"RS256"}', 400, 'ERR_BAD_REQUEST'],
      [{ alg: 'RS512' }, 400, 'ERR_ALG_NOT_CONFIGURED'],
      [{ alg: 5 }, 400, 'ERR_BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const res = await admin('/rotate', body);
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code } });
    }
    const big = await admin('/keys', { pem: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'ERR_BODY_TOO_LARGE' } });
    const form = await app.fetch(
      new Request('http://localhost/admin/sign', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
        body: 'claims',
      }),
    );
    expect(form.status).toBe(415);
    expect((await admin('/keys', { jwk: {}, pem: 'x' })).status).toBe(400);
    expect((await admin('/nothing', {})).status).toBe(404);
  });
});

describe('web app', () => {
  it('serves the built app at / and refuses paths outside its directory', async () => {
    const res = await get('/', {}, 'GET', bare);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('<title>jwkit</title>');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const r = await get(path, {}, 'GET', bare);
      expect(await r.text()).not.toContain('outside the web root');
    }
    expect((await get('/missing.js', {}, 'GET', bare)).status).toBe(404);
  });

  it('forbids framing, type sniffing and referrers on every file it serves', async () => {
    writeFileSync(join(tmp.dir, 'web', 'app.js'), 'console.log(1);');
    for (const path of ['/', '/index.html', '/app.js']) {
      const res = await get(path, {}, 'GET', bare);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});

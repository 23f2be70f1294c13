/**
 * RemoteJWKSet against a real HTTP server on 127.0.0.1, with a fake clock driving expiry,
 * backoff and the stale bound.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webBackend } from '../../src/crypto/web.js';
import { JWKitError, KeySelectionError, RemoteJWKSError } from '../../src/errors/index.js';
import type { RemoteJWKSetOptions } from '../../src/remote/options.js';
import { RemoteJWKSet } from '../../src/remote/remote-jwks.js';
import { EventLog } from './helpers/events.js';
import { FakeClock } from './helpers/fake-clock.js';
import { etagHandler, gate, JWKSServer, sendJSON } from './helpers/jwks-server.js';
import { ecKey, edKey, jwks, type TestKey } from './helpers/keys.js';

const A = ecKey('a');
const B = ecKey('b');
const C = edKey('c');
const header = (key: TestKey | string) =>
  typeof key === 'string' ? { alg: 'ES256', kid: key } : { alg: key.alg, kid: key.kid };

let server: JWKSServer;
let clock: FakeClock;
let log: EventLog;
let published: unknown;
let remote: RemoteJWKSet | undefined;

beforeEach(async () => {
  clock = new FakeClock();
  log = new EventLog();
  published = jwks(A);
  server = await JWKSServer.start(etagHandler(() => published, { 'cache-control': 'max-age=600' }));
});
afterEach(async () => {
  remote?.close();
  remote = undefined;
  await server.close();
});

function open(options: RemoteJWKSetOptions = {}, url: string | string[] = server.url()): RemoteJWKSet {
  remote = new RemoteJWKSet(url, { clock, onEvent: log.onEvent, random: () => 0.5, ...options });
  return remote;
}

async function rejection(promise: Promise<unknown>): Promise<JWKitError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JWKitError);
  return err as JWKitError;
}

describe('fetching and caching', () => {
  it('fetches once on first use, shared by concurrent callers, and honours max-age', async () => {
    const r = open();
    const keys = await Promise.all(Array.from({ length: 50 }, () => r.getKey(header(A))));
    expect(keys.every((k) => k.kid === 'a')).toBe(true);
    expect(server.count()).toBe(1);
    expect(r.fresh).toBe(true);
    expect(r.stale).toBe(false);
    expect(r.keyCount).toBe(1);
    expect(r.lastFetch).toBe(clock.now());
    expect(r.expiresAt).toBe(clock.now() + 600_000);
    expect(log.of('refreshed')[0]).toMatchObject({
      reason: 'initial',
      status: 200,
      keys: 1,
      url: server.url(),
    });
  });

  it('selectKey returns the key with a verification handle', async () => {
    const r = open();
    const selected = await r.selectKey(header(A), { backend: webBackend });
    expect(selected.jwk.kid).toBe('a');
    expect(selected.handle).toMatchObject({ alg: 'ES256', usage: 'verify', backend: 'webcrypto' });
    expect(r.selectKeySync(header(A), { backend: webBackend })?.jwk.kid).toBe('a');
    expect(r.selectKeySync(header('unknown'), { backend: webBackend })).toBeUndefined();
  });

  it('revalidates with If-None-Match before expiry; a 304 keeps the parsed set and extends freshness', async () => {
    const r = open();
    const first = await r.getKey(header(A));
    // random() = 0.5: the background refresh fires at 75% + 7.5% of the 600 s lifetime.
    expect(clock.pending).toContain(clock.now() + 495_000);
    const refreshed = log.next('refreshed');
    clock.advance(495_000);
    expect(await refreshed).toMatchObject({ reason: 'background', status: 304 });
    expect(server.requests[1]?.headers['if-none-match']).toBe(r.exportState()?.etag);
    expect(r.exportState()?.etag).toMatch(/^".+"$/);
    expect(r.expiresAt).toBe(clock.now() + 600_000);
    expect(await r.getKey(header(A))).toBe(first);
    expect(server.count()).toBe(2);
  });

  it('uses the minimum lifetime for no-store and a lifetime clamped to maxTtl', async () => {
    server.handler = etagHandler(() => published, { 'cache-control': 'no-store' });
    const r = open({ minTtl: 120_000 });
    await r.refresh();
    expect(r.expiresAt).toBe(clock.now() + 120_000);
    server.handler = etagHandler(() => published, { 'cache-control': 'max-age=999999999' });
    await r.refresh();
    expect(r.expiresAt).toBe(clock.now() + 86_400_000);
  });

  it('serves a stale set within maxStale, backs off exponentially, then reports it unavailable', async () => {
    const r = open({ backgroundRefresh: false, maxStale: 60_000, random: () => 0.999 });
    await r.getKey(header(A));
    server.handler = (_req, res) => res.writeHead(500).end();
    clock.advance(600_000);

    // Expired: the last good set is served at once while a refresh runs in the background.
    let failed = log.next('refresh-failed');
    expect((await r.getKey(header(A))).kid).toBe('a');
    expect(r.stale).toBe(true);
    expect(log.of('stale')).toHaveLength(1);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const event = await failed;
      expect(event.error.code).toBe('ERR_REMOTE_JWKS_STATUS');
      expect(event.failures).toBe(i + 1);
      delays.push(event.retryAt - event.time);
      // Within the backoff no request is made, however often the set is used.
      const before = server.count();
      await Promise.all(Array.from({ length: 20 }, () => r.getKey(header(A))));
      expect(server.count()).toBe(before);
      clock.advance(event.retryAt - clock.now());
      failed = log.next('refresh-failed');
      await r.getKey(header(A));
    }
    await failed;
    expect(delays.map((d) => Math.round(d / 1000))).toEqual([1, 2, 4, 8]);
    expect(r.lastError?.code).toBe('ERR_REMOTE_JWKS_STATUS');
    expect(log.of('stale')).toHaveLength(1);

    // Past the stale bound the keys are no longer used.
    clock.advance(60_000);
    const err = await rejection(r.getKey(header(A)));
    expect(err).toBeInstanceOf(RemoteJWKSError);
    expect(err.code).toBe('ERR_REMOTE_JWKS_UNAVAILABLE');
    expect(err.cause).toBe(r.lastError);
    expect(r.keyCount).toBe(0);
    expect(log.of('expired')).toHaveLength(1);

    // Recovery: the next attempt after the backoff succeeds and the set is fresh again.
    server.handler = etagHandler(() => published, { 'cache-control': 'max-age=600' });
    clock.advance(300_000);
    expect((await r.getKey(header(A))).kid).toBe('a');
    expect(r.fresh).toBe(true);
    expect(r.lastError).toBeUndefined();
  });

  it('retries failed background refreshes on a timer without ever throwing', async () => {
    const r = open({ random: () => 0 });
    await r.refresh();
    server.handler = (_req, res) => res.writeHead(503, { 'retry-after': '90' }).end();
    const failed = log.next('refresh-failed');
    clock.advance(clock.pending[0]! - clock.now());
    const event = await failed;
    expect(event.reason).toBe('background');
    // Retry-After (90 s) lengthens the 1 s backoff.
    expect(event.retryAt - event.time).toBe(90_000);
    expect(clock.pending).toEqual([event.retryAt]);
    server.handler = etagHandler(() => published, { 'cache-control': 'max-age=600' });
    const refreshed = log.next('refreshed');
    clock.advance(90_000);
    expect(await refreshed).toMatchObject({ reason: 'background' });
    expect(r.fresh).toBe(true);
  });

  it('fails the first use with the cause when the server answers 500', async () => {
    server.handler = (_req, res) => res.writeHead(500).end();
    const r = open();
    const err = await rejection(r.getKey(header(A)));
    expect(err.code).toBe('ERR_REMOTE_JWKS_UNAVAILABLE');
    expect((err.cause as RemoteJWKSError).code).toBe('ERR_REMOTE_JWKS_STATUS');
    // Backing off: the next use fails fast without a request.
    await rejection(r.getKey(header(A)));
    expect(server.count()).toBe(1);
    await expect(r.refresh()).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_STATUS' });
    expect(server.count()).toBe(2);
  });

  it('rejects invalid JSON and keeps the last good set', async () => {
    const r = open();
    await r.refresh();
    server.handler = (_req, res) => sendJSON(res, '{"keys": [', { 'cache-control': 'max-age=600' });
    await expect(r.refresh()).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_INVALID' });
    expect((await r.getKey(header(A))).kid).toBe('a');
    expect(r.fresh).toBe(true);
  });

  it('keeps the good keys of a set with a bad one, dropping private and symmetric keys with a report', async () => {
    const broken = { ...B.public, kid: 'broken', x: 'not*base64url' };
    const oct = {
      kty: 'oct',
      kid: 'shared',
      alg: 'HS256',
      k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA',
    };
    const leaked = { ...C.private };
    published = { keys: [A.public, broken, oct, leaked, B.public] };
    const r = open();
    expect((await r.getKey(header(A))).kid).toBe('a');
    expect((await r.getKey(header(B))).kid).toBe('b');
    expect(r.keyCount).toBe(2);
    const dropped = log.of('key-dropped');
    expect(dropped.map((d) => [d.kid, d.code])).toEqual(
      expect.arrayContaining([
        ['broken', 'REMOTE_KEY_INVALID'],
        ['shared', 'REMOTE_KEY_SYMMETRIC'],
        ['c', 'REMOTE_KEY_PRIVATE'],
      ]),
    );
    expect(dropped).toHaveLength(3);
    // A remote symmetric key is never used, even for an HS256 token naming it.
    const err = await rejection(r.getKey({ alg: 'HS256', kid: 'shared' }));
    expect(err).toBeInstanceOf(KeySelectionError);
    expect(JSON.stringify(r.exportState())).not.toMatch(/"d"|"k"/);
  });

  it('treats a set whose keys are all unusable as a failure', async () => {
    const r = open();
    await r.refresh();
    published = { keys: [{ ...A.private }, { kty: 'EC', kid: 'x' }] };
    await expect(r.refresh()).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_NO_USABLE_KEYS' });
    expect(log.of('key-dropped')).toHaveLength(2);
    expect((await r.getKey(header(A))).kid).toBe('a');
  });

  it('refuses a set with more keys than maxKeys', async () => {
    published = jwks(A, B, C);
    const r = open({ maxKeys: 2 });
    await expect(r.refresh()).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_TOO_MANY_KEYS' });
  });

  it('times out a server that does not answer', async () => {
    server.handler = () => new Promise(() => {});
    const r = open({ timeout: 100, clock: undefined });
    await expect(r.refresh()).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_TIMEOUT' });
    expect(r.lastError?.code).toBe('ERR_REMOTE_JWKS_TIMEOUT');
  });

  it('refuses a redirect unless allowed', async () => {
    server.handler = (req, res) =>
      req.url === '/jwks.json'
        ? res.writeHead(302, { location: '/moved.json' }).end()
        : sendJSON(res, published, { 'cache-control': 'max-age=600' });
    await expect(open().refresh()).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_REDIRECT' });
    expect(server.count('/moved.json')).toBe(0);
    remote?.close();
    await open({ redirects: 'same-origin' }).refresh();
    expect(server.count('/moved.json')).toBe(1);
  });
});

describe('unknown kid', () => {
  it('picks up a key rotated in upstream with one refresh, at most once per cooldown', async () => {
    const r = open({ cooldown: 30_000 });
    await r.getKey(header(A));
    published = jwks(A, B);
    // The set in hand was fetched before this lookup began, so one fetch answers the miss
    // (issue 13.9: the cooldown counts from fetches caused by misses, not from the initial one).
    expect((await r.getKey(header(B))).kid).toBe('b');
    expect(server.count()).toBe(2);
    expect(log.of('refreshed').at(-1)).toMatchObject({ reason: 'unknown-kid', status: 200, keys: 2 });

    published = jwks(A, B, C);
    await rejection(r.getKey(header(C)));
    expect(server.count()).toBe(2);
    clock.advance(30_000);
    expect((await r.getKey(header(C))).kid).toBe('c');
    expect(server.count()).toBe(3);
  });

  it('does not refresh for an ambiguous match or an unsupported alg', async () => {
    published = {
      keys: [
        { ...A.public, kid: undefined },
        { ...B.public, kid: undefined },
      ],
    };
    const r = open({ cooldown: 0 });
    await r.refresh();
    expect((await rejection(r.getKey({ alg: 'ES256' }))).code).toBe('ERR_JWKS_MULTIPLE_MATCHING_KEYS');
    expect((await rejection(r.getKey({ alg: 'none' }))).code).toBe('ERR_JWKS_ALG_UNSUPPORTED');
    expect(server.count()).toBe(1);
    remote?.close();
    expect((await open({ multipleMatches: 'first' }).getKey({ alg: 'ES256' })).x).toBe(A.public.x);
  });

  it('selectKeys returns every match for the try-all policy', async () => {
    published = {
      keys: [
        { ...A.public, kid: undefined },
        { ...B.public, kid: undefined },
      ],
    };
    const r = open();
    const all = await r.selectKeys({ alg: 'ES256' }, { multipleMatches: 'try-all', backend: webBackend });
    expect(all.map((k) => k.jwk.x)).toEqual([A.public.x, B.public.x]);
  });
});

describe('several URLs', () => {
  it('uses the first URL that works, in configured order, on every refresh', async () => {
    const backup = await JWKSServer.start(etagHandler(() => jwks(A, B), { 'cache-control': 'max-age=600' }));
    try {
      server.handler = (_req, res) => res.writeHead(502).end();
      const r = open({}, [server.url(), backup.url()]);
      expect((await r.getKey(header(B))).kid).toBe('b');
      expect(r.source).toBe(backup.url());
      expect(log.of('fetch-failed').map((e) => [e.url, e.error.code])).toEqual([
        [server.url(), 'ERR_REMOTE_JWKS_STATUS'],
      ]);
      // The primary is asked first again, without the backup's ETag.
      server.handler = etagHandler(() => published, { 'cache-control': 'max-age=600' });
      await r.refresh();
      expect(r.source).toBe(server.url());
      expect(server.requests.at(-1)?.headers['if-none-match']).toBeUndefined();
      expect(backup.count()).toBe(1);
    } finally {
      await backup.close();
    }
  });

  it('reports every URL when all fail', async () => {
    server.handler = (_req, res) => res.writeHead(500).end();
    const r = open({}, [server.url('/a'), server.url('/b')]);
    const err = await rejection(r.refresh());
    expect(err.code).toBe('ERR_REMOTE_JWKS_ALL_FAILED');
    expect((err as unknown as { errors: RemoteJWKSError[] }).errors.map((e) => e.code)).toEqual([
      'ERR_REMOTE_JWKS_STATUS',
      'ERR_REMOTE_JWKS_STATUS',
    ]);
  });
});

describe('configuration and lifecycle', () => {
  it('refuses http to non-loopback hosts, and any http under http: refuse', () => {
    expect(() => new RemoteJWKSet('http://idp.example/jwks')).toThrow(
      expect.objectContaining({ code: 'ERR_REMOTE_JWKS_INSECURE_URL' }),
    );
    expect(() => new RemoteJWKSet(server.url(), { http: 'refuse' })).toThrow(
      expect.objectContaining({ code: 'ERR_REMOTE_JWKS_INSECURE_URL' }),
    );
    expect(() => new RemoteJWKSet('http://idp.example/jwks', { http: 'allow' }).close()).not.toThrow();
  });

  it('validates options', () => {
    for (const options of [
      { timeout: 0 },
      { minTtl: 10, maxTtl: 5 },
      { maxStale: Number.NaN },
      { http: 'yes' },
    ]) {
      expect(() => new RemoteJWKSet(server.url(), options as RemoteJWKSetOptions)).toThrow(
        expect.objectContaining({ code: 'ERR_REMOTE_JWKS_OPTIONS' }),
      );
    }
    expect(() => new RemoteJWKSet([])).toThrow(expect.objectContaining({ code: 'ERR_REMOTE_JWKS_OPTIONS' }));
  });

  it('close() stops the timers and refuses further use', async () => {
    const r = open();
    await r.refresh();
    expect(clock.pending).toHaveLength(1);
    r.close();
    expect(clock.pending).toHaveLength(0);
    await expect(r.getKey(header(A))).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_CLOSED' });
    expect(() => r.importState(undefined)).toThrow(
      expect.objectContaining({ code: 'ERR_REMOTE_JWKS_CLOSED' }),
    );
  });

  it('close() aborts a fetch in flight; its waiters fail with ERR_REMOTE_JWKS_CLOSED', async () => {
    let hungUp: Promise<void> | undefined;
    const arrived = gate();
    server.handler = (_req, res) => {
      hungUp = new Promise((resolve) => res.on('close', () => resolve()));
      arrived.open();
    };
    const r = open();
    const waiting = r.getKey(header(A));
    const refreshing = r.refresh();
    await arrived.promise;
    r.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_CLOSED' });
    await expect(refreshing).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_CLOSED' });
    await hungUp;
    expect(clock.pending).toHaveLength(0);
    expect(log.of('refresh-failed')).toHaveLength(0);
  });

  it('ignores an onEvent hook that throws', async () => {
    const r = open({
      onEvent: () => {
        throw new Error('broken logger');
      },
    });
    expect((await r.getKey(header(A))).kid).toBe('a');
  });
});

/**
 * A hostile or broken JWKS host (RFC 8725 §3.10; OpenID Connect Core §10.1.1): redirects to
 * other hosts, http downgrades, oversized and never-ending bodies, slow-loris responses,
 * invalid JSON, private and symmetric keys in the set, and refresh storms from random kids.
 * Every fault is served by a real HTTP server on 127.0.0.1 (or, for https downgrades, a fetch
 * that answers like a TLS host would); after each one the verifier must still accept the
 * legitimate token on its last good set, and never accept the attacker's.
 *
 * Time is a fake clock (deterministic timeouts, cooldowns and expiry): no timing thresholds.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type JWK,
  type PrivateJWK,
  RemoteJWKSet,
  type RemoteJWKSetOptions,
  signJWT,
  verifyJWT,
} from '../../packages/jwkit/src/index.node.js';
import { FakeClock } from '../../packages/jwkit/test/remote/helpers/fake-clock.js';
import { JWKSServer, sendJSON } from '../../packages/jwkit/test/remote/helpers/jwks-server.js';
import { jwkit, keyPairs, refusal } from './support.js';
import { tally } from './tally.js';

const T = tally('remote');
const [issuerKey, attackerKey] = (await keyPairs()).filter((p) => p.name === 'P-256' || p.name === 'Ed25519');
const GOOD_SET = { keys: [issuerKey!.public] };
const goodToken = await signJWT({ sub: 'alice' }, issuerKey!.private);
const evilToken = await signJWT({ sub: 'mallory', admin: true }, attackerKey!.private);
const TIMEOUT = 2_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;
const good: Handler = (_req, res) => sendJSON(res, GOOD_SET, { 'cache-control': 'max-age=300' });

let issuer: JWKSServer;
let other: JWKSServer;
let clock: FakeClock;
let remote: RemoteJWKSet;
beforeAll(async () => {
  issuer = await JWKSServer.start(good);
  other = await JWKSServer.start((_req, res) => sendJSON(res, { keys: [attackerKey!.public] }));
});
afterAll(async () => {
  await issuer.close();
  await other.close();
});

function open(options: RemoteJWKSetOptions = {}): RemoteJWKSet {
  return new RemoteJWKSet(issuer.url(), { clock, timeout: TIMEOUT, backgroundRefresh: false, ...options });
}

/** The legitimate token still verifies and the attacker's does not. */
async function stillGuarding(r: RemoteJWKSet): Promise<void> {
  expect((await verifyJWT(goodToken, r)).payload.sub).toBe('alice');
  await refusal(() => verifyJWT(evilToken, r), 'attacker token');
}

/** Injects `fault` on the issuer, refreshes, and expects `code`; the last good set keeps working. */
async function inject(fault: Handler, code: string | string[], drive?: () => Promise<void>): Promise<void> {
  issuer.handler = fault;
  T.fault();
  const refreshing = remote.refresh();
  if (drive) await drive();
  const got = await refusal(() => refreshing, 'refresh under fault');
  expect(got).toBeOneOf(Array.isArray(code) ? code : [code]);
  await stillGuarding(remote);
  T.tried(2);
  issuer.handler = good;
}

/** Waits (on real I/O) until the issuer has seen `n` more requests, then fires the fake timeout. */
async function timeoutAfterRequest(before: number): Promise<void> {
  while (issuer.count() === before) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 20));
  clock.advance(TIMEOUT);
}

beforeEach(async () => {
  clock = new FakeClock();
  issuer.handler = good;
  remote = open();
  await remote.refresh();
  await stillGuarding(remote);
});
afterEach(() => remote.close());

describe('redirects and downgrades', () => {
  it('a redirect to another host is refused under the default and same-origin policies', async () => {
    const before = other.count();
    const toOther: Handler = (_req, res) => res.writeHead(302, { location: other.url() }).end();
    await inject(toOther, 'ERR_REMOTE_JWKS_REDIRECT');
    remote.close();
    remote = open({ redirects: 'same-origin' });
    await remote.refresh();
    await inject(toOther, 'ERR_REMOTE_JWKS_REDIRECT');
    await inject(
      (_req, res) => res.writeHead(301, { location: '//evil.example/jwks.json' }).end(),
      'ERR_REMOTE_JWKS_REDIRECT',
    );
    expect(other.count()).toBe(before);
  });

  it('redirect loops and Location-less redirects end with an error', async () => {
    remote.close();
    remote = open({ redirects: 'same-origin' });
    await remote.refresh();
    await inject(
      (req, res) => res.writeHead(302, { location: req.url ?? '/' }).end(),
      'ERR_REMOTE_JWKS_REDIRECT',
    );
    await inject((_req, res) => res.writeHead(307).end(), 'ERR_REMOTE_JWKS_STATUS');
  });

  it('http URLs off loopback are refused at construction; https -> http redirects under every policy', async () => {
    for (const url of [
      'http://issuer.example/jwks.json',
      'http://10.0.0.1/jwks.json',
      'ftp://issuer.example/jwks.json',
      'file:///etc/passwd',
      'https://user:pw@issuer.example/jwks.json',
    ]) {
      expect(await refusal(() => new RemoteJWKSet(url))).toBeOneOf([
        'ERR_REMOTE_JWKS_INSECURE_URL',
        'ERR_REMOTE_JWKS_OPTIONS',
      ]);
      T.tried();
    }
    for (const redirects of ['refuse', 'same-origin', 'any'] as const) {
      // An https host (TLS is the fetch's business) that redirects to plain http.
      const tls = async (url: string) =>
        url.startsWith('https:')
          ? new Response(null, {
              status: 302,
              headers: { location: issuer.url().replace('127.0.0.1', 'localhost') },
            })
          : new Response(JSON.stringify({ keys: [attackerKey!.public] }), { status: 200 });
      const r = new RemoteJWKSet('https://issuer.example/jwks.json', {
        fetch: tls,
        redirects,
        http: 'allow',
        clock,
        backgroundRefresh: false,
      });
      T.fault();
      expect(await refusal(() => r.refresh())).toBe('ERR_REMOTE_JWKS_REDIRECT');
      expect(r.keyCount).toBe(0);
      r.close();
      T.tried();
    }
  });
});

describe('bodies', () => {
  it('a Content-Length over maxBytes is refused before the body is read', async () => {
    await inject((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(64 << 20) });
      res.write('{"keys":[');
    }, 'ERR_REMOTE_JWKS_TOO_LARGE');
  });

  it('a never-ending chunked body is cut at maxBytes', async () => {
    let written = 0;
    await inject((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && written < 64 << 20 && res.write(chunk)) written += chunk.length;
        if (!res.destroyed && written < 64 << 20) res.once('drain', pump);
      };
      res.write('{"keys":[');
      pump();
    }, 'ERR_REMOTE_JWKS_TOO_LARGE');
    expect(written).toBeLessThan(64 << 20);
  });

  it('slow loris: headers never sent, or a body that drips, ends at the timeout', async () => {
    let before = issuer.count();
    await inject(
      () => undefined,
      'ERR_REMOTE_JWKS_TIMEOUT',
      () => timeoutAfterRequest(before),
    );
    before = issuer.count();
    const drip: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 5);
      res.once('close', () => clearInterval(t));
    };
    await inject(drip, 'ERR_REMOTE_JWKS_TIMEOUT', () => timeoutAfterRequest(before));
  });

  it('invalid JSON, wrong shapes, bad encodings and error statuses are refused', async () => {
    const bodies: (string | Buffer)[] = [
      'not json',
      '',
      'null',
      '[]',
      '{"keys":1}',
      '{"keys":[1,2,3]}',
      '{"keys":{}}',
      `{"keys":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      `{"keys":[${JSON.stringify(issuerKey!.public)}],"keys":[${JSON.stringify(attackerKey!.public)}]}`,
      '{"keys":[{"kty":"EC"}]}',
      Buffer.from([0xff, 0xfe, 0x7b, 0x00]),
      Buffer.from('{"keys":[\xc3\x28]}', 'latin1'),
      '<html><body>login</body></html>',
    ];
    for (const body of bodies) {
      await inject(
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(body);
        },
        ['ERR_REMOTE_JWKS_INVALID', 'ERR_REMOTE_JWKS_NO_USABLE_KEYS'],
      );
    }
    for (const status of [204, 304, 401, 403, 404, 429, 500, 502, 503]) {
      await inject(
        (_req, res) => res.writeHead(status, { 'retry-after': '1' }).end(),
        'ERR_REMOTE_JWKS_STATUS',
      );
    }
    await inject((_req, res) => res.destroy(), 'ERR_REMOTE_JWKS_NETWORK');
  });

  it('more keys than maxKeys are refused, not truncated', async () => {
    const many = { keys: Array.from({ length: 101 }, (_, i) => ({ ...attackerKey!.public, kid: `k${i}` })) };
    await inject((_req, res) => sendJSON(res, many), 'ERR_REMOTE_JWKS_TOO_MANY_KEYS');
  });
});

describe('keys the remote set must never contribute', () => {
  it('private and oct keys are dropped; a set of only those is refused and the last good set kept', async () => {
    const secret = {
      kty: 'oct',
      k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA',
      alg: 'HS256',
      kid: issuerKey!.public.kid,
    } as JWK;
    await inject(
      (_req, res) => sendJSON(res, { keys: [attackerKey!.private, secret] }),
      'ERR_REMOTE_JWKS_NO_USABLE_KEYS',
    );
    // An HS256 token MACed with the published secret, naming the issuer's kid.
    const forged = await signJWT({ sub: 'mallory' }, secret);
    issuer.handler = (_req, res) =>
      sendJSON(res, { keys: [secret, issuerKey!.public, attackerKey!.private] });
    T.fault();
    await remote.refresh();
    expect(remote.keyCount).toBe(1);
    await refusal(() => verifyJWT(forged, remote));
    await stillGuarding(remote);
    T.tried(3);
  });
});

describe('refresh storms', () => {
  it('thousands of tokens with random kids cost at most one fetch per cooldown', async () => {
    remote.close();
    remote = open({ cooldown: 30_000 });
    await remote.refresh();
    const fetches = issuer.count();
    const signer = attackerKey!.private as PrivateJWK;
    const tokens = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        signJWT({ i }, signer, { alg: attackerKey!.alg, kid: `random-${i}-${Math.random()}` }),
      ),
    );
    const storm = async () => {
      const results = await Promise.allSettled([...tokens, ...tokens].map((t) => verifyJWT(t, remote)));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      T.tried(results.length);
    };
    await storm();
    await stillGuarding(remote);
    expect(issuer.count() - fetches).toBeLessThanOrEqual(1);
    clock.advance(30_000);
    await storm();
    expect(issuer.count() - fetches).toBeLessThanOrEqual(2);
  });
});

describe('the last good set', () => {
  it('is served stale through failures until maxStale, then selection fails closed', async () => {
    remote.close();
    remote = open({ maxStale: 3_600_000 });
    await remote.refresh();
    issuer.handler = (_req, res) => res.writeHead(503).end();
    T.fault();
    clock.advance(301_000); // past max-age=300: stale, refreshes fail
    await stillGuarding(remote);
    expect(remote.stale).toBe(true);
    clock.advance(3_600_000);
    expect(await refusal(() => verifyJWT(goodToken, remote))).toBe('ERR_REMOTE_JWKS_UNAVAILABLE');
    issuer.handler = good;
    T.tried(2);
  });
});

describe('the CLI', () => {
  let hostile: Server;
  let base: string;
  beforeAll(async () => {
    hostile = createServer((req, res) => {
      if (req.url === '/redirect') res.writeHead(302, { location: other.url() }).end();
      else if (req.url === '/endless') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const t = setInterval(
          () => (res.destroyed ? clearInterval(t) : res.write(Buffer.alloc(65536, 0x20))),
          1,
        );
      } else if (req.url === '/hang') {
        // never answers
      } else if (req.url === '/mixed') {
        sendJSON(
          res,
          { keys: [issuerKey!.public, attackerKey!.private] },
          { 'cache-control': 'max-age=60', etag: '"1"' },
        );
      } else sendJSON(res, { keys: [attackerKey!.private] });
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hostile.closeAllConnections();
    await new Promise((r) => hostile.close(r));
  });

  it('jwkit jwt verify against hostile URLs exits 1 without accepting anything', async () => {
    const runs = [
      ['jwt', 'verify', evilToken, '--jwks', `${base}/redirect`],
      ['jwt', 'verify', evilToken, '--jwks', `${base}/endless`, '--timeout', '3000'],
      ['jwt', 'verify', evilToken, '--jwks', `${base}/hang`, '--timeout', '300'],
      ['jwt', 'verify', evilToken, '--jwks', `${base}/private`],
    ];
    const results = await Promise.all(runs.map((args) => jwkit(args, { timeout: 20_000 })));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${runs[i]!.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stdout).toBe('');
    }
    T.fault(runs.length);
    T.tried(runs.length);
  });

  it('jwkit inspect, the linter a CI job runs on a published set, fails a set that publishes a private key', async () => {
    const results = await Promise.all(
      [`${base}/private`, `${base}/mixed`].map((url) => jwkit(['inspect', url], { timeout: 20_000 })),
    );
    for (const r of results) {
      expect(r.stdout + r.stderr).not.toContain((attackerKey!.private as { d: string }).d);
      expect(r.code, r.stdout).toBe(1);
    }
    T.tried(results.length);
  });
});

describe('issue 13 (CLI and remote): a third party steering the fetcher', () => {
  it("RemoteJWKSet privateAddresses: 'refuse' sends nothing to loopback, private or metadata hosts (13.12)", async () => {
    const before = issuer.count();
    const targets = [
      issuer.url(),
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:a9fe:a9fe]/jwks',
      'http://10.1.2.3/jwks',
    ];
    for (const url of targets) {
      const r = new RemoteJWKSet(url, {
        http: 'allow',
        privateAddresses: 'refuse',
        backgroundRefresh: false,
      });
      try {
        await expect(r.refresh()).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_PRIVATE_ADDRESS' });
      } finally {
        r.close();
      }
    }
    expect(issuer.count()).toBe(before);
    T.tried(targets.length);
  });

  it('a discovery document cannot point jwkit inspect at the metadata endpoint (13.12)', async () => {
    const hostile = createServer((_req, res) =>
      sendJSON(res, {
        issuer: 'https://victim.example',
        jwks_uri: 'http://169.254.169.254/latest/meta-data/',
      }),
    );
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/.well-known/openid-configuration`;
      const r = await jwkit(['inspect', '--json', url], { timeout: 20_000 });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('DISCOVERY_JWKS_URI_PRIVATE');
      T.tried(1);
    } finally {
      hostile.closeAllConnections();
      await new Promise((r) => hostile.close(r));
    }
  });

  it('a token whose header starts with a BOM is refused, although signed with the issuer key (13.13)', async () => {
    const { createSign } = await import('node:crypto');
    const h = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ alg: 'ES256' }))]);
    const input = `${h.toString('base64url')}.${Buffer.from('{"sub":"mallory"}').toString('base64url')}`;
    const sig = createSign('SHA256')
      .update(input)
      .sign({ key: issuerKey!.private as never, format: 'jwk', dsaEncoding: 'ieee-p1363' })
      .toString('base64url');
    clock = new FakeClock();
    const r = open();
    try {
      expect(await refusal(() => verifyJWT(`${input}.${sig}`, r), 'BOM header token')).toBe(
        'ERR_JWT_HEADER_INVALID',
      );
    } finally {
      r.close();
    }
    T.tried(1);
  });
});

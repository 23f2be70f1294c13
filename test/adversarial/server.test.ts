/**
 * The JWKS server under attack and under faults:
 *
 * - the admin API without a token, with wrong tokens of every shape (all refused the same way,
 *   so no answer tells a near miss from a far one; the comparison itself is constant-time by
 *   construction: SHA-256 of both sides and timingSafeEqual, see docs/SECURITY.md), and the
 *   admin API absent when no token is configured;
 * - oversized and malformed admin requests (bodies, media types, JSON, types, algorithms,
 *   hostile kids in paths): 4xx with a code, never a 500, and no key lost;
 * - `kill -9` of a real `jwkit serve` process (the built CLI) while it rotates and signs: after
 *   every kill the store holds every key that signed a still-valid token;
 * - PostgreSQL unavailable while serving, injected without touching the shared server: the
 *   store is reached through a TCP proxy this test owns and cuts, and this test's own backend
 *   connections are terminated with pg_terminate_backend (matched by their client ports). The
 *   JWKS keeps being served from memory, writes fail with 503, and nothing is lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, tempDir } from '../../packages/cli/test/helpers.js';
import {
  generateJWK,
  type JWK,
  JWKSet,
  type PrivateJWK,
  toPublic,
  verifyJWT,
} from '../../packages/jwkit/src/index.node.js';
import {
  checkInvariants,
  keysList,
  openStore,
  type RunningServer,
  resolvePolicies,
  serve,
} from '../../packages/server/src/index.js';
import { HOSTILE_KIDS } from './support.js';
import { deepRuns, LONG_TIMEOUT, tally } from './tally.js';

const T = tally('server');
const PG_URL = process.env.JWKIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// Admin tokens are at least 32 bytes (issue 13.11).
const ADMIN = `adv-${randomBytes(27).toString('base64url')}`;
const tmp = tempDir('jwkit-adv-server-');
afterAll(() => tmp.cleanup());

interface Answer {
  status: number;
  text: string;
  json: { error?: { code?: string } } & Record<string, unknown>;
}
async function call(
  base: string,
  path: string,
  init: RequestInit & { headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let json: Answer['json'] = {};
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {}
  return { status: res.status, text, json };
}
/** One request on a connection of its own (node:http, no agent), read until the server closes. */
function ownConnection(
  base: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text, json: JSON.parse(text || '{}') as Answer['json'] }),
      );
      res.on('error', () => resolve({ status: res.statusCode ?? 0, text, json: {} }));
    });
    // The server may close while the body is still being sent; the answer already came.
    req.on('error', () =>
      resolve({ status: 413, text: '', json: { error: { code: 'ERR_BODY_TOO_LARGE' } } }),
    );
    req.end(body);
  });
}
const auth = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${ADMIN}`,
  'content-type': 'application/json',
  ...extra,
});
const kids = (jwks: unknown) => new Set(((jwks as { keys?: JWK[] }).keys ?? []).map((k) => k.kid!));

describe('the admin API', () => {
  let server: RunningServer;
  let closed: RunningServer;
  beforeAll(async () => {
    // One listener (admin on server.url) and no login backoff: this suite sends wrong tokens on
    // purpose and checks every answer (the backoff has its own test, packages/server/test/listeners.test.ts).
    const common = {
      port: 0,
      algs: ['ES256', 'Ed25519'],
      webRoot: false as const,
      log: () => {},
      singleListener: true,
      adminBackoff: false,
    };
    server = await serve({
      ...common,
      store: `sqlite:${join(tmp.dir, 'admin.db')}`,
      masterKeyFile: join(tmp.dir, 'admin.key'),
      adminToken: ADMIN,
    });
    closed = await serve({
      ...common,
      store: `sqlite:${join(tmp.dir, 'closed.db')}`,
      masterKeyFile: join(tmp.dir, 'closed.key'),
      adminToken: '',
    });
  });
  afterAll(async () => {
    await server.close();
    await closed.close();
  });

  it('every wrong or missing credential gets the same 401, on every admin route and method', async () => {
    const wrong = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Bearer ${ADMIN.slice(0, -1)}`,
      `Bearer ${ADMIN}x`,
      `Bearer ${ADMIN.toUpperCase()}`,
      `Bearer  ${ADMIN} x`,
      `Bearer ${'A'.repeat(ADMIN.length)}`,
      `Bearer ${'A'.repeat(8000)}`,
      `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`,
      `Token ${ADMIN}`,
      ADMIN,
      `Bearer ${ADMIN.slice(1)}`,
      `Bearer \u00e9${ADMIN}`,
    ];
    const routes: [string, string][] = [
      ['GET', '/admin/keys'],
      ['POST', '/admin/rotate'],
      ['POST', '/admin/keys'],
      ['POST', '/admin/sign'],
      ['POST', '/admin/keys/x/revoke'],
      ['DELETE', '/admin/keys'],
      ['GET', '/admin/../admin/keys'],
      ['GET', `/admin/keys?token=${ADMIN}`],
    ];
    const before = (await call(server.url, '/admin/keys', { headers: auth() })).json;
    const bodies = new Set<string>();
    for (const header of wrong) {
      for (const [method, path] of routes) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (header !== undefined) headers.authorization = header;
        let r: Answer;
        try {
          r = await call(server.url, path, {
            method,
            headers,
            body: method === 'GET' ? undefined : '{"alg":"ES256"}',
          });
        } catch {
          continue; // fetch itself refuses some header values (non-ByteString)
        }
        expect(r.status, `${method} ${path} with ${String(header).slice(0, 30)}`).toBe(401);
        bodies.add(r.text);
        T.tried();
      }
    }
    expect(bodies.size).toBe(1);
    expect((await call(server.url, '/admin/keys', { headers: auth() })).json).toEqual(before);
  });

  it('without a configured token the admin API does not exist', async () => {
    for (const path of ['/admin', '/admin/keys', '/admin/rotate']) {
      for (const method of ['GET', 'POST']) {
        const r = await call(closed.url, path, {
          method,
          headers: { authorization: 'Bearer ', 'content-type': 'application/json' },
        });
        expect(r.status).toBe(404);
        T.tried();
      }
    }
  });

  it('oversized and malformed requests get a 4xx with a code, never a 500, and lose no key', async () => {
    const before = await call(server.url, '/admin/keys', { headers: auth() });
    const beforeKids = new Set((before.json.keys as { kid: string }[]).map((k) => k.kid));
    const pub = toPublic((await generateJWK({ alg: 'ES256' })) as PrivateJWK);
    const weak = (await generateJWK({ alg: 'HS256', size: 256 })) as JWK;
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const requests: [string, string, string | undefined, Record<string, string>?][] = [
      ['POST', '/admin/rotate', 'x'.repeat(70 * 1024)],
      ['POST', '/admin/keys', JSON.stringify({ pem: 'x'.repeat(200 * 1024) })],
      ['POST', '/admin/rotate', '{"alg":'],
      ['POST', '/admin/rotate', '[]'],
      ['POST', '/admin/rotate', 'null'],
      ['POST', '/admin/rotate', deep],
      ['POST', '/admin/rotate', '{"alg":"ES256","alg":"none"}'],
      ['POST', '/admin/rotate', '{"alg":"none"}'],
      ['POST', '/admin/rotate', '{"alg":"HS256"}'],
      ['POST', '/admin/rotate', '{"alg":42}'],
      ['POST', '/admin/rotate', '{"alg":"__proto__"}'],
      ['POST', '/admin/rotate', '{"alg":"ES256"}', { 'content-type': 'text/plain' }],
      ['POST', '/admin/rotate', '\u0000\u0001'],
      ['POST', '/admin/keys', '{}'],
      ['POST', '/admin/keys', JSON.stringify({ jwk: pub })],
      ['POST', '/admin/keys', JSON.stringify({ jwk: pub, pem: 'x' })],
      ['POST', '/admin/keys', JSON.stringify({ jwk: { kty: 'EC' } })],
      ['POST', '/admin/keys', JSON.stringify({ jwk: weak, alg: 'HS256' })],
      ['POST', '/admin/keys', JSON.stringify({ jwk: 'not a key' })],
      ['POST', '/admin/keys', JSON.stringify({ jwk: [] })],
      [
        'POST',
        '/admin/keys',
        JSON.stringify({ pem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }),
      ],
      ['POST', '/admin/keys', JSON.stringify({ jwk: pub, activate: 'yes' })],
      ['POST', '/admin/keys', '{"jwk":{"__proto__":{"kty":"EC"}}}'],
      ['POST', '/admin/sign', '{"claims":[]}'],
      ['POST', '/admin/sign', '{"claims":"x"}'],
      ['POST', '/admin/sign', '{"expiresIn":{}}'],
      ['POST', '/admin/sign', '{"expiresIn":"forever"}'],
      ['POST', '/admin/sign', '{"alg":"none"}'],
      ['POST', '/admin/sign', '{"alg":"HS256"}'],
      ['PUT', '/admin/rotate', '{}'],
      ['GET', '/admin/rotate', undefined],
      ...HOSTILE_KIDS.filter((k) => k.length < 4000).map((kid): [string, string, string | undefined] => [
        'POST',
        `/admin/keys/${encodeURIComponent(kid)}/revoke`,
        undefined,
      ]),
      ['POST', '/admin/keys/..%2F..%2Fetc%2Fpasswd/revoke', undefined],
      ['POST', `/admin/keys/${'k'.repeat(6000)}/revoke`, undefined],
    ];
    const wrong: string[] = [];
    for (const [method, path, body, headers] of requests) {
      // An oversized body is answered 413 and its connection closed: sent on a connection of
      // its own, so the keep-alive pool of the other requests is not handed a closed socket.
      const oversized = (body?.length ?? 0) > 64 * 1024;
      const r = oversized
        ? await ownConnection(server.url, path, method, auth(headers), body!)
        : await call(server.url, path, { method, headers: auth(headers), body });
      if (r.status < 400 || r.status >= 500 || (r.status !== 404 && typeof r.json.error?.code !== 'string')) {
        wrong.push(
          `${method} ${path.slice(0, 60)} ${String(body).slice(0, 40)}: ${r.status} ${r.text.slice(0, 120)}`,
        );
      }
      T.tried();
    }
    expect(wrong).toEqual([]);
    const after = await call(server.url, '/admin/keys', { headers: auth() });
    const afterKids = new Set((after.json.keys as { kid: string; state: string }[]).map((k) => k.kid));
    const lost = [...beforeKids].filter((k) => !afterKids.has(k));
    T.lost(lost.length);
    expect(lost).toEqual([]);
    expect((after.json.keys as { state: string }[]).some((k) => k.state === 'revoked')).toBe(false);
  });

  it('a request with 20 KB of headers is refused by the HTTP layer, the server keeps serving', async () => {
    const big: Record<string, string> = {};
    for (let i = 0; i < 40; i++) big[`x-pad-${i}`] = 'x'.repeat(500);
    const r = await call(server.url, '/.well-known/jwks.json', { headers: big }).catch(
      () => ({ status: 431 }) as Answer,
    );
    expect(r.status).toBe(431);
    expect((await call(server.url, '/.well-known/jwks.json')).status).toBe(200);
    T.tried();
  });
});

describe('kill -9 of `jwkit serve` while it rotates and signs', () => {
  const TRIALS = deepRuns(4, 40);
  const SETTINGS = {
    policies: resolvePolicies(['ES256'], {
      rotationPeriod: '1500ms',
      prePublish: '700ms',
      maxTokenLifetime: '3s',
    }),
    cacheMaxAge: 1000,
    staleWhileRevalidate: 0,
    skew: 30_000,
  };

  /** The test's environment with the admin token set and no master key (the key file is used). */
  function serveEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, JWKIT_ADMIN_TOKEN: ADMIN };
    delete env.JWKIT_MASTER_KEY;
    return env;
  }

  /** Starts the built CLI's `serve`, resolving with its URL once it listens. */
  function start(store: string): { child: ChildProcess; url: Promise<string>; exited: Promise<void> } {
    assertBuilt();
    const child = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--store',
        store,
        '--port',
        '0',
        '--algs',
        'ES256',
        '--rotation-period',
        '1500ms',
        '--pre-publish',
        '700ms',
        '--max-token-lifetime',
        '3s',
        '--cache-max-age',
        '1s',
        '--master-key-file',
        join(tmp.dir, 'crash.key'),
        '--no-web',
        '--single-listener',
      ],
      {
        env: serveEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const url = new Promise<string>((resolve, reject) => {
      const onData = (b: Buffer) => {
        out += b.toString();
        const m = /listening on (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      exited.then(() => reject(new Error(`jwkit serve exited before listening:\n${out}`)));
    });
    url.catch(() => {});
    return { child, url, exited };
  }

  it(
    `${TRIALS} kills at random moments: every key of a still-valid token survives, invariants hold`,
    async () => {
      const store = `sqlite:${join(tmp.dir, 'crash.db')}`;
      const issued: { token: string; kid: string; exp: number }[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        const proc = start(store);
        const url = await proc.url;
        const stop = { done: false };
        const hammer = (async () => {
          for (let n = 0; !stop.done; n++) {
            try {
              if (n % 3 === 0)
                await fetch(`${url}/admin/rotate`, { method: 'POST', headers: auth(), body: '{}' });
              else {
                const r = await fetch(`${url}/admin/sign`, {
                  method: 'POST',
                  headers: auth(),
                  body: '{"claims":{"sub":"s"},"expiresIn":"3s"}',
                });
                if (r.status === 200) {
                  const { token } = (await r.json()) as { token: string };
                  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
                    kid: string;
                  };
                  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
                    exp: number;
                  };
                  issued.push({ token, kid: header.kid, exp: payload.exp * 1000 });
                }
              }
            } catch {
              return;
            }
          }
        })();
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 600));
        proc.child.kill('SIGKILL');
        T.fault();
        await proc.exited;
        stop.done = true;
        await hammer;
        // The store after the kill: every key that signed a still-valid token is published.
        const keys = await keysList({ store });
        const opened = await openStore(store);
        try {
          expect(checkInvariants((await opened.load()).keys, SETTINGS)).toEqual([]);
        } finally {
          await opened.close();
        }
        const published = new Set(keys.filter((k) => k.state !== 'revoked').map((k) => k.kid));
        const now = Date.now();
        const lost = [
          ...new Set(issued.filter((t) => t.exp > now && !published.has(t.kid)).map((t) => t.kid)),
        ];
        T.lost(lost.length);
        expect(lost).toEqual([]);
      }
      expect(issued.length).toBeGreaterThan(0);
      // A clean restart publishes them: every still-valid token verifies against its JWKS.
      const proc = start(store);
      try {
        const url = await proc.url;
        const set = JWKSet.from((await call(url, '/.well-known/jwks.json')).json);
        const now = Date.now();
        for (const t of issued.filter((x) => x.exp > now + 500)) {
          await verifyJWT(t.token, set, { clock: () => now });
          T.tried();
        }
      } finally {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
    },
    LONG_TIMEOUT,
  );
});

/** A TCP proxy to PostgreSQL that the test can cut and restore (its own fault injector). */
class CuttableProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #cut = false;
  private constructor(server: Server) {
    this.#server = server;
  }
  static async start(target: URL): Promise<CuttableProxy> {
    let self: CuttableProxy | undefined;
    const server = createServer((client) => {
      if (!self || self.#cut) {
        client.destroy();
        return;
      }
      const upstream = connect(Number(target.port || 5432), target.hostname);
      const pair: [Socket, Socket] = [client, upstream];
      self.#pairs.add(pair);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        if (self) self.#pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    self = new CuttableProxy(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return self;
  }
  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }
  /** The local ports of the proxy's upstream connections: how PostgreSQL sees these clients. */
  upstreamPorts(): number[] {
    return [...this.#pairs].map(([, u]) => u.localPort).filter((p): p is number => typeof p === 'number');
  }
  cut(): void {
    this.#cut = true;
    for (const [c, u] of this.#pairs) {
      c.destroy();
      u.destroy();
    }
    this.#pairs.clear();
  }
  restore(): void {
    this.#cut = false;
  }
  async close(): Promise<void> {
    this.cut();
    await new Promise((r) => this.#server.close(r));
  }
}

describe('PostgreSQL unavailable while serving', () => {
  const schema = `jwkit_adv_${process.pid}_${randomBytes(3).toString('hex')}`;
  let proxy: CuttableProxy;
  let server: RunningServer;
  let admin: pg.Client;
  beforeAll(async () => {
    proxy = await CuttableProxy.start(new URL(PG_URL));
    const via = new URL(PG_URL);
    via.hostname = '127.0.0.1';
    via.port = String(proxy.port);
    server = await serve({
      store: via.toString(),
      schema,
      port: 0,
      algs: ['ES256'],
      adminToken: ADMIN,
      singleListener: true,
      masterKey: randomBytes(32).toString('base64'),
      pollInterval: '100ms',
      webRoot: false,
      log: () => {},
    });
    admin = new pg.Client({ connectionString: PG_URL, application_name: 'jwkit-adversarial' });
    await admin.connect();
  });
  afterAll(async () => {
    await server?.close().catch(() => {});
    await proxy?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await admin?.end();
  });

  /** Polls a condition over real I/O; the test's own timeout bounds it. */
  async function until(what: () => Promise<boolean>): Promise<void> {
    while (!(await what())) await new Promise((r) => setTimeout(r, 50));
  }

  async function storedKids(): Promise<Set<string>> {
    const r = await admin.query<{ kid: string }>(`SELECT kid FROM "${schema}".jwkit_keys`);
    return new Set(r.rows.map((x) => x.kid));
  }

  it('cut, terminated and restored three times: the JWKS is served throughout, writes fail with 503, no key lost', async () => {
    const token = (
      await call(server.url, '/admin/sign', {
        method: 'POST',
        headers: auth(),
        body: '{"claims":{"sub":"before"}}',
      })
    ).json.token as string;
    for (let round = 0; round < 3; round++) {
      const published = (await call(server.url, '/.well-known/jwks.json')).json;
      const before = await storedKids();
      expect(before.size).toBeGreaterThan(0);

      // Fault 1: the network path to PostgreSQL is cut.
      proxy.cut();
      T.fault();
      await until(async () => (await call(server.url, '/readyz')).status === 503);
      for (let i = 0; i < 20; i++) {
        const r = await call(server.url, '/.well-known/jwks.json');
        expect(r.status).toBe(200);
        expect(kids(r.json)).toEqual(kids(published));
        T.tried();
      }
      await verifyJWT(token, JWKSet.from(published));
      const rotate = await call(server.url, '/admin/rotate', { method: 'POST', headers: auth(), body: '{}' });
      expect(rotate.status).toBe(503);
      expect(rotate.json.error?.code).toMatch(/^ERR_STORE_/);
      T.tried(2);

      proxy.restore();
      await until(async () => (await call(server.url, '/readyz')).status === 200);

      // Fault 2: this server's own backend connections are terminated by PostgreSQL.
      const ports = proxy.upstreamPorts();
      if (ports.length > 0) {
        const killed = await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND pid <> pg_backend_pid()',
          [ports],
        );
        T.fault(killed.rowCount ?? 0);
      }
      let rotated: Answer | undefined;
      await until(async () => {
        rotated = await call(server.url, '/admin/rotate', { method: 'POST', headers: auth(), body: '{}' });
        return rotated.status === 200;
      });
      expect((await call(server.url, '/.well-known/jwks.json')).status).toBe(200);

      const after = await storedKids();
      const lost = [...before].filter((k) => !after.has(k));
      T.lost(lost.length);
      expect(lost).toEqual([]);
      // The key that signed the first token is still published (retired keys stay for its lifetime).
      const set = JWKSet.from((await call(server.url, '/.well-known/jwks.json')).json);
      await verifyJWT(token, set);
      T.tried(2);
    }
  });
});

/**
 * The listeners of serve() against real loopback HTTP: the private admin listener (14.4),
 * metrics (14.9), audit (14.7), admin input and authentication rules (13.11).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../src/crypto-at-rest.js';
import { KeyManager } from '../src/key-manager.js';
import { type RunningServer, serve } from '../src/serve.js';
import { openStore } from '../src/stores/open.js';
import { tempDir } from './helpers.js';

const TOKEN = 'listeners-test-admin-token-0123456789abcdef';
const tmp = tempDir();
const saved = { master: process.env.JWKIT_MASTER_KEY, admin: process.env.JWKIT_ADMIN_TOKEN };
beforeAll(() => {
  delete process.env.JWKIT_MASTER_KEY;
  delete process.env.JWKIT_ADMIN_TOKEN;
});
afterAll(() => {
  if (saved.master !== undefined) process.env.JWKIT_MASTER_KEY = saved.master;
  if (saved.admin !== undefined) process.env.JWKIT_ADMIN_TOKEN = saved.admin;
  tmp.cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}` };
const NO_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

describe('two listeners', () => {
  let server: RunningServer;
  const lines: string[] = [];
  const { key: masterKey, text: masterText } = MasterKey.generate();
  const storeUrl = `sqlite:${join(tmp.dir, 'two', 'keys.db')}`;
  beforeAll(async () => {
    server = await serve({
      store: storeUrl,
      masterKey: masterText,
      port: 0,
      algs: ['ES256'],
      adminToken: TOKEN,
      pollInterval: '100ms',
      skew: '1m',
      accessLog: true,
      version: '9.9.9-test',
      webRoot: false,
      log: (l) => lines.push(l),
    });
  });
  afterAll(() => server.close());

  it('serves /admin and /metrics only on the private listener; the public one answers 404', async () => {
    expect(server.adminUrl).not.toBe(server.url);
    expect(server.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ['/admin/keys', '/metrics', '/admin/audit']) {
      expect((await fetch(`${server.url}${path}`, { headers: auth })).status).toBe(404);
    }
    expect((await fetch(`${server.adminUrl}/admin/keys`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${server.adminUrl}/metrics`)).status).toBe(200);
    // the JWKS is public only; health on both
    expect((await fetch(`${server.url}/.well-known/jwks.json`)).status).toBe(200);
    expect((await fetch(`${server.adminUrl}/.well-known/jwks.json`)).status).toBe(404);
    expect((await fetch(`${server.adminUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('metrics: next rotation and key age per alg, tokens signed, build info, connections', async () => {
    const signed = await fetch(`${server.adminUrl}/admin/sign`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"claims":{"sub":"a"}}',
    });
    expect(signed.status).toBe(200);
    const text = await (await fetch(`${server.adminUrl}/metrics`)).text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1]);
    const nextRotation = value(/^jwkit_next_rotation_seconds\{alg="ES256"\} (\S+)$/m);
    expect(nextRotation).toBeGreaterThan(29 * 86400);
    expect(nextRotation).toBeLessThanOrEqual(30 * 86400);
    expect(value(/^jwkit_current_key_age_seconds\{alg="ES256"\} (\S+)$/m)).toBeGreaterThanOrEqual(0);
    expect(value(/^jwkit_tokens_signed_total\{alg="ES256"\} (\S+)$/m)).toBe(1);
    expect(text).toMatch(/^jwkit_build_info\{version="9\.9\.9-test",node="[\d.]+"\} 1$/m);
    expect(value(/^jwkit_connections_max (\d+)$/m)).toBeGreaterThan(0);
    expect(value(/^jwkit_starting (\d)$/m)).toBe(0);
  });

  it('a change by the CLI (another writer) shows up in the server log, its metrics and GET /admin/audit', async () => {
    const store = await openStore(storeUrl);
    const cli = await KeyManager.open({ store, masterKey, actor: 'cli', schedule: false });
    const [rotated] = await cli.rotate('ES256');
    await cli.close();
    await store.close();
    const kid = rotated!.kid;
    for (
      let i = 0;
      i < 100 && !lines.some((l) => l.includes('store event: activated') && l.includes(kid));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const line = lines.find((l) => l.includes('store event: activated') && l.includes(kid));
    expect(line).toMatch(/actor=cli/);
    const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^jwkit_store_rotations_total\{alg="ES256",actor="cli"\} 1$/m);
    const audit = (await (
      await fetch(`${server.adminUrl}/admin/audit?kid=${kid}`, { headers: auth })
    ).json()) as {
      events: { event: string; actor: string; kid: string }[];
    };
    expect(audit.events.some((e) => e.event === 'activated' && e.actor === 'cli' && e.kid === kid)).toBe(
      true,
    );
    // the public JWKS follows
    expect(server.manager.signingKey('ES256').kid).toBe(kid);
  });

  it('refuses kids with control characters or over 256 characters at the admin API (issue 13.11)', async () => {
    const post = (jwk: object) =>
      fetch(`${server.adminUrl}/admin/keys`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ jwk }),
      });
    const { privateKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
    ]);
    const jwk = await crypto.subtle.exportKey('jwk', privateKey);
    for (const kid of ['a\r\nb\u001b[31m', 'k'.repeat(60_000), '', 'with space']) {
      const res = await post({ ...jwk, kid });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_KID_INVALID');
    }
    const revoke = await fetch(`${server.adminUrl}/admin/keys/a%0D%0Ab%1B/revoke`, {
      method: 'POST',
      headers: auth,
    });
    expect(revoke.status).toBe(400);
    expect((await post({ ...jwk, kid: 'ok-kid-1' })).status).toBe(201);
    expect(server.manager.publication().keys.some((k) => k.kid === 'ok-kid-1')).toBe(true);
  });

  it('slows down repeated 401s per client (429 + Retry-After) and logs them escaped', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${server.adminUrl}/admin/keys?x=%0d%0a`, {
        headers: { authorization: 'Bearer wrong-token' },
      });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // the first FREE (5) failures are 401s, the 6th starts a backoff; later attempts are not even compared
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).toEqual([429, 429]);
    // even the right token waits out the backoff
    expect((await fetch(`${server.adminUrl}/admin/keys`, { headers: auth })).status).toBe(429);
    const failures = lines.filter((l) => l.includes('admin authentication failed'));
    expect(failures).toHaveLength(6);
    expect(failures.at(-1)).toMatch(/failures=6 backoffSeconds=1/);
    const metrics = await (await fetch(`${server.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^jwkit_admin_auth_refused_total\{status="401"\} 6$/m);
    const audit = await server.manager.audit({ limit: 50 });
    expect(audit.filter((e) => e.event === 'admin-auth-failed').length).toBeGreaterThanOrEqual(6);
    for (const l of lines) expect(l).not.toMatch(NO_CONTROL);
  });

  it('writes an access log line per request with the raw path escaped', async () => {
    await new Promise<void>((done, fail) => {
      const url = new URL(server.url);
      // Node refuses raw control bytes in the request line; an encoded CRLF stays encoded in the log.
      const req = request({ host: url.hostname, port: url.port, path: '/nope%0d%0a?q=1' }, (res) => {
        res.resume();
        res.on('end', () => done());
      });
      req.on('error', fail);
      req.end();
    });
    const find = () => lines.find((l) => l.includes(' request ') && l.includes('/nope'));
    for (let i = 0; i < 50 && !find(); i++) await new Promise((r) => setTimeout(r, 20));
    const line = find();
    expect(line).toMatch(
      /listener=public method=GET path="\/nope%0d%0a\?q=1" status=404 .*ms=[\d.]+ client=127\.0\.0\.1/,
    );
  });
});

describe('the per-client connection cap', () => {
  it("closes a client's oldest idle connections past its cap; another client is not touched", async () => {
    const lines: string[] = [];
    const server = await serve({
      store: `sqlite:${join(tmp.dir, 'cap', 'keys.db')}`,
      port: 0,
      algs: ['ES256'],
      maxConnectionsPerClient: 20,
      log: (l) => lines.push(l),
      webRoot: false,
    });
    const { connect } = await import('node:net');
    const open = (localAddress: string) =>
      new Promise<import('node:net').Socket>((done) => {
        const s = connect({ host: '127.0.0.1', port: server.port, localAddress }, () => {
          s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
          done(s);
        });
        s.on('error', () => done(s));
      });
    try {
      const other = await Promise.all(Array.from({ length: 10 }, () => open('127.0.0.2')));
      const greedy: import('node:net').Socket[] = [];
      for (let i = 0; i < 100; i++) greedy.push(await open('127.0.0.1'));
      await new Promise((r) => setTimeout(r, 200));
      expect(greedy.filter((s) => !s.destroyed).length).toBe(20);
      expect(other.filter((s) => !s.destroyed).length).toBe(10);
      expect(lines.some((l) => l.includes('shedding connections reason=client-cap client=127.0.0.1'))).toBe(
        true,
      );
      for (const s of [...other, ...greedy]) s.destroy();
    } finally {
      await server.close();
    }
  });
});

describe('admin token and single-listener rules', () => {
  it('reload() re-reads the admin token file: the new token works, the old one no longer does', async () => {
    const file = join(tmp.dir, 'rotating.token');
    writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
    const server = await serve({
      store: `sqlite:${join(tmp.dir, 'reload', 'keys.db')}`,
      port: 0,
      algs: ['ES256'],
      adminTokenFile: file,
      log: () => {},
      webRoot: false,
    });
    try {
      const status = async (token: string) =>
        (await fetch(`${server.adminUrl}/admin/keys`, { headers: { authorization: `Bearer ${token}` } }))
          .status;
      expect(await status(TOKEN)).toBe(200);
      const next = `${TOKEN}-renewed`;
      writeFileSync(file, `${next}\n`, { mode: 0o600 });
      await server.reload();
      expect(await status(next)).toBe(200);
      expect(await status(TOKEN)).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('refuses admin tokens shorter than 32 bytes and warns on a token file others can read', async () => {
    const store = `sqlite:${join(tmp.dir, 'tok', 'keys.db')}`;
    await expect(
      serve({ store, port: 0, adminToken: 'x'.repeat(31), log: () => {}, webRoot: false }),
    ).rejects.toMatchObject({
      code: 'ERR_ADMIN_TOKEN',
      message: expect.stringContaining('at least 32 bytes'),
    });
    const file = join(tmp.dir, 'token');
    writeFileSync(file, `${TOKEN}\n`);
    chmodSync(file, 0o644);
    const lines: string[] = [];
    const server = await serve({
      store,
      port: 0,
      adminTokenFile: file,
      log: (l) => lines.push(l),
      webRoot: false,
    });
    await server.close();
    expect(
      lines.some((l) => l.includes('admin token file is readable by other users') && l.includes('chmod 600')),
    ).toBe(true);
  });

  it('single-listener mode serves everything on one port and warns off loopback', async () => {
    const lines: string[] = [];
    const server = await serve({
      store: `sqlite:${join(tmp.dir, 'single', 'keys.db')}`,
      host: '0.0.0.0',
      port: 0,
      singleListener: true,
      adminToken: TOKEN,
      algs: ['ES256'],
      log: (l) => lines.push(l),
      webRoot: false,
    });
    try {
      const local = `http://127.0.0.1:${server.port}`;
      expect(server.adminUrl).toBe(server.url);
      expect((await fetch(`${local}/admin/keys`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${local}/metrics`)).status).toBe(200);
      expect(
        lines.some((l) => l.includes('warn') && l.includes('single-listener mode on a non-loopback address')),
      ).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('refuses half a TLS configuration', async () => {
    await expect(
      serve({
        store: `sqlite:${join(tmp.dir, 'tls', 'keys.db')}`,
        port: 0,
        tlsCert: '/x.pem',
        log: () => {},
      }),
    ).rejects.toMatchObject({ code: 'ERR_TLS' });
  });
});

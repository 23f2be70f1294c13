/**
 * `jwkit serve` as a real process: idle sockets under a small file-descriptor limit (13.10), TLS
 * with a certificate renewed on SIGHUP (14.5), SIGHUP never exits and SIGTERM drains within the
 * deadline (14.8), and /healthz during a slow first key generation (14.8).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServeOptions } from '../src/serve.js';
import { bundleServeProcess, removeBundles } from './fixtures/process.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
let bundled: string;
beforeAll(async () => {
  bundled = await bundleServeProcess();
});
afterAll(() => {
  removeBundles();
  tmp.cleanup();
});

interface Proc {
  child: ChildProcess;
  output(): string;
  ready: Promise<{ url: string; adminUrl: string }>;
  /** The listeners accept connections (before the first keys exist). */
  up: Promise<{ url: string; adminUrl: string }>;
  exited: Promise<number | null>;
}

/** `node serve-process.mjs <options>`, optionally under `ulimit -n`. */
function start(options: ServeOptions, fdLimit?: number, env: Record<string, string> = {}): Proc {
  const node = process.execPath;
  const args = [bundled, JSON.stringify(options)];
  const child =
    fdLimit === undefined
      ? spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
      : spawn('/bin/sh', ['-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, node, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...env },
        });
  let out = '';
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const ready = new Promise<{ url: string; adminUrl: string }>((done, fail) => {
    const check = () => {
      const url = /(?<!admin )listening on (\S+)/.exec(out)?.[1];
      const adminUrl = /admin listening on (\S+)/.exec(out)?.[1];
      if (url && (adminUrl || options.singleListener)) done({ url, adminUrl: adminUrl ?? url });
    };
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      check();
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    exited.then((code) => fail(new Error(`exited (${code}) before listening:\n${out}`)));
  });
  ready.catch(() => {});
  const up = new Promise<{ url: string; adminUrl: string }>((done, fail) => {
    const timer = setInterval(() => {
      const m = /listeners up; making any missing keys public=(\S+) admin=(\S+)/.exec(out);
      if (m) {
        clearInterval(timer);
        done({ url: m[1]!, adminUrl: m[2]! });
      }
    }, 20);
    exited.then((code) => {
      clearInterval(timer);
      fail(new Error(`exited (${code}) before listening:\n${out}`));
    });
  });
  up.catch(() => {});
  return { child, output: () => out, ready, up, exited };
}

async function stop(p: Proc): Promise<number | null> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  return p.exited;
}

function openIdle(port: number, count: number, localAddress = '127.0.0.1'): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((done) => {
          const s = netConnect({ host: '127.0.0.1', port, localAddress }, () => {
            // An unfinished request head, as in the issue.
            s.write('GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n');
            done(s);
          });
          s.on('error', () => done(s));
        }),
    ),
  );
}

describe('idle connections (issue 13.10)', () => {
  it('with 256 file descriptors, 600 idle sockets from one client do not take the JWKS down', async () => {
    const p = start(
      {
        store: `sqlite:${join(tmp.dir, 'idle', 'keys.db')}`,
        port: 0,
        adminPort: 0,
        algs: ['ES256'],
        webRoot: false,
      },
      256,
    );
    const { url, adminUrl } = await p.ready;
    const port = Number(new URL(url).port);
    const sockets = await openIdle(port, 600);
    try {
      // The cap is below the descriptor limit (90% of 256), so accept() never fails with EMFILE.
      expect(p.output()).toMatch(/maxConnections=230 .*fileDescriptors=256/);
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${url}/.well-known/jwks.json`);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { keys: unknown[] }).keys).toHaveLength(1);
      }
      const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
      const open = Number(/^jwkit_connections (\d+)$/m.exec(metrics)?.[1]);
      expect(open).toBeLessThanOrEqual(230);
      expect(metrics).toMatch(/^jwkit_connections_shed_total\{reason="client-cap"\} \d+$/m);
      expect(p.output()).toMatch(
        /warn .*shedding connections reason=(client|global)-cap client=127\.0\.0\.1/,
      );
    } finally {
      for (const s of sockets) s.destroy();
      expect(await stop(p)).toBe(0);
    }
  });

  it('a client that never finishes its request head is cut after headersTimeout', async () => {
    const p = start({
      store: `sqlite:${join(tmp.dir, 'slow', 'keys.db')}`,
      port: 0,
      algs: ['ES256'],
      headersTimeout: '1s',
      requestTimeout: '2s',
      webRoot: false,
    });
    const { url } = await p.ready;
    const [s] = await openIdle(Number(new URL(url).port), 1);
    let reply = '';
    s!.on('data', (c: Buffer) => {
      reply += c.toString();
    });
    await new Promise((done) => s!.once('close', done));
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(await stop(p)).toBe(0);
  });
});

function certificate(dir: string, name: string, cn: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
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
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function servedFingerprint(port: number): Promise<string> {
  return new Promise((done, fail) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = s.getPeerCertificate().raw;
      s.end();
      done(createHash('sha256').update(raw).digest('hex'));
    });
    s.on('error', fail);
  });
}

describe('TLS and signals (issues 14.5, 14.8)', () => {
  it('serves HTTPS on both listeners and serves a renewed certificate after SIGHUP, without a restart', async () => {
    const dir = join(tmp.dir, 'tls');
    execFileSync('mkdir', ['-p', dir]);
    const first = certificate(dir, 'first', 'first.jwkit.test');
    const second = certificate(dir, 'second', 'second.jwkit.test');
    const live = { cert: join(dir, 'live.crt'), key: join(dir, 'live.key') };
    execFileSync('cp', [first.cert, live.cert]);
    execFileSync('cp', [first.key, live.key]);
    const p = start({
      store: `sqlite:${join(dir, 'keys.db')}`,
      port: 0,
      adminPort: 0,
      algs: ['ES256'],
      tlsCert: live.cert,
      tlsKey: live.key,
      webRoot: false,
    });
    const { url, adminUrl } = await p.ready;
    expect(url).toMatch(/^https:/);
    expect(adminUrl).toMatch(/^https:/);
    const fp = (path: string) =>
      createHash('sha256')
        .update(execFileSync('openssl', ['x509', '-in', path, '-outform', 'DER']))
        .digest('hex');
    const port = Number(new URL(url).port);
    const adminPort = Number(new URL(adminUrl).port);
    expect(await servedFingerprint(port)).toBe(fp(first.cert));
    expect(await servedFingerprint(adminPort)).toBe(fp(first.cert));

    // Renew: new files in place, then SIGHUP.
    writeFileSync(live.cert, execFileSync('cat', [second.cert]));
    writeFileSync(live.key, execFileSync('cat', [second.key]));
    p.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !p.output().includes('TLS certificate re-read'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await servedFingerprint(port)).toBe(fp(second.cert));
    expect(await servedFingerprint(adminPort)).toBe(fp(second.cert));
    expect(p.child.exitCode).toBeNull(); // SIGHUP never exits

    // A broken renewal keeps the old certificate and the process.
    writeFileSync(live.key, 'not a key');
    p.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !p.output().includes('keeping the previous TLS certificate'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await servedFingerprint(port)).toBe(fp(second.cert));
    expect(p.child.exitCode).toBeNull();
    expect(await stop(p)).toBe(0);
  });

  it('SIGTERM stops accepting, lets an in-flight request finish, then exits 0', async () => {
    const token = 'signals-test-admin-token-0123456789abcdef';
    const p = start({
      store: `sqlite:${join(tmp.dir, 'term', 'keys.db')}`,
      port: 0,
      adminPort: 0,
      algs: ['ES256'],
      adminToken: token,
      shutdownTimeout: '20s',
      webRoot: false,
    });
    const { url, adminUrl } = await p.ready;
    // An admin request whose body is still on its way when SIGTERM arrives.
    const body = JSON.stringify({ claims: { sub: 'in-flight' } });
    const s = netConnect({ host: '127.0.0.1', port: Number(new URL(adminUrl).port) });
    await new Promise((done) => s.once('connect', done));
    let reply = '';
    s.on('data', (c: Buffer) => {
      reply += c.toString();
    });
    s.write(
      `POST /admin/sign HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    for (let i = 0; i < 100 && !p.output().includes('shutting down'); i++)
      await new Promise((r) => setTimeout(r, 20));
    // no longer accepting
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    s.write(body.slice(5));
    expect(await p.exited).toBe(0);
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply).toContain('"token":"eyJ');
    expect(reply.toLowerCase()).toContain('connection: close');
  });

  it('SIGTERM with a request that never finishes exits 0 after --shutdown-timeout', async () => {
    const p = start({
      store: `sqlite:${join(tmp.dir, 'deadline', 'keys.db')}`,
      port: 0,
      adminPort: 0,
      algs: ['ES256'],
      adminToken: 'deadline-test-admin-token-0123456789abcdef',
      shutdownTimeout: '1s',
      webRoot: false,
    });
    const { adminUrl } = await p.ready;
    const s = netConnect({ host: '127.0.0.1', port: Number(new URL(adminUrl).port) });
    await new Promise((done) => s.once('connect', done));
    s.on('error', () => {});
    s.write('POST /admin/rotate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(/deadlineSeconds=1/);
    s.destroy();
  });

  it('answers /healthz (and /readyz 503) while the first RSA-8192 key is made', async () => {
    const p = start({
      store: `sqlite:${join(tmp.dir, 'slowkey', 'keys.db')}`,
      port: 0,
      adminPort: 0,
      algs: ['RS256'],
      rsaBits: 8192,
      webRoot: false,
    });
    const { url, adminUrl } = await p.up;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ starting: true, missing: ['RS256'] });
    const jwks = await fetch(`${url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(503);
    expect(jwks.headers.get('retry-after')).toBe('2');
    expect(await (await fetch(`${adminUrl}/metrics`)).text()).toMatch(/^jwkit_starting 1$/m);
    // SIGTERM during the generation still exits 0.
    expect(await stop(p)).toBe(0);
  });
});

/**
 * `jwkit serve`, black-box: the built CLI starts the server on a free loopback port, prints where
 * it listens, serves a JWKS that `jwkit inspect` lints clean of errors, and stops on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, jwkit, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
/**
 * Each server gets a directory of its own (its working directory, its store): the default master
 * key file sits beside the store, and a new store next to another test's key file is refused as a
 * lost store (ERR_STORE_MISSING).
 */
const fresh = () => mkdtempSync(join(tmp.dir, 'cwd-'));

let child: ChildProcess;
let url: string;
let stderr = '';

beforeAll(async () => {
  const store = `sqlite:${join(tmp.dir, 'keys.db')}`;
  child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--store', store, '--algs', 'ES256', '--no-web'],
    {
      cwd: fresh(),
      env: { ...process.env, JWKIT_ADMIN_TOKEN: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line; stderr:\n${stderr}`)), 30_000);
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${stderr}`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  tmp.cleanup();
});

describe('jwkit serve', () => {
  it('serves the JWKS with public keys only', async () => {
    const res = await fetch(`${url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.length).toBeGreaterThan(0);
    for (const k of body.keys) expect(k.d).toBeUndefined();
  });

  it('`jwkit inspect` of its JWKS finds no error', async () => {
    const r = await jwkit(['inspect', '--json', `${url}/.well-known/jwks.json`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).errors).toBe(0);
  });

  it('`jwkit keys list` on the same store shows the key it publishes', async () => {
    const r = await jwkit(['keys', 'list', '--json', '--store', `sqlite:${join(tmp.dir, 'keys.db')}`]);
    const served = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    const kids = (JSON.parse(r.stdout) as { kid: string }[]).map((k) => k.kid);
    for (const k of served.keys) expect(kids).toContain(k.kid);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('a port in use is an error with exit 1', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = String((blocker.address() as { port: number }).port);
    try {
      const r = await jwkit(
        ['serve', '--port', port, '--store', `sqlite:${join(fresh(), 'other.db')}`, '--no-web'],
        { cwd: fresh() },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('ERR_LISTEN');
    } finally {
      blocker.close();
    }
  });

  it('--help shows every setting with its env variable and real default (issue 13.14)', async () => {
    const r = await jwkit(['serve', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('[env JWKIT_ROTATION_PERIOD] (default: 30d)');
    expect(help).toContain('[env JWKIT_PRE_PUBLISH] (default: 2d)');
    expect(help).toContain('[env JWKIT_MAX_TOKEN_LIFETIME] (default: 1h)');
    expect(help).toContain('(default: <issuer>/.well-known/jwks.json)');
    expect(help).toContain('--admin-port <port>');
    expect(help).toContain('--tls-cert <file>');
    expect(help).not.toContain('derived from the request');
  });

  it('a bad value from a flag, the environment or the config file is a usage error (exit 2) naming its source', async () => {
    const bad = await jwkit(['serve', '--rotation-period', '30x'], { timeout: 20_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--rotation-period: "30x" is not a duration.*\[ERR_CONFIG\]/);
    const env = await jwkit(['serve'], { env: { JWKIT_PORT: 'abc' }, timeout: 20_000 });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('JWKIT_PORT: expected a port number');
    const { writeFileSync } = await import('node:fs');
    const file = join(tmp.dir, 'bad.json');
    writeFileSync(file, '{"adminToken": "in-a-file-is-refused-0123456789abcdef"}');
    const cfg = await jwkit(['serve', '--config', file], { timeout: 20_000 });
    expect(cfg.code).toBe(2);
    expect(cfg.stderr).toContain('"adminToken" cannot be set in a config file; set JWKIT_ADMIN_TOKEN');
  });

  it('takes settings from a config file and the environment, flag > env > file', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(tmp.dir, 'serve.json');
    writeFileSync(
      file,
      JSON.stringify({ algs: ['Ed25519'], port: 1, logFormat: 'json', store: 'sqlite:/nonexistent/x.db' }),
    );
    const proc = spawn(
      process.execPath,
      [CLI, 'serve', '--config', file, '--store', `sqlite:${join(fresh(), 'cfg.db')}`, '--no-web'],
      {
        cwd: fresh(),
        env: { ...process.env, JWKIT_PORT: '0', JWKIT_ADMIN_TOKEN: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    const urls = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening lines:\n${err}`)), 30_000);
      proc.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        const found = [...err.matchAll(/"url":"(http:[^"]+)"/g)].map((m) => m[1]!);
        if (found.length === 2) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      proc.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${err}`)));
    });
    try {
      const [pub, admin] = urls;
      const keys = (
        (await (await fetch(`${pub}/.well-known/jwks.json`)).json()) as { keys: { alg: string }[] }
      ).keys;
      expect(keys.map((k) => k.alg)).toEqual(['Ed25519']);
      expect((await fetch(`${pub}/metrics`)).status).toBe(404);
      expect((await fetch(`${admin}/metrics`)).status).toBe(200);
      // logFormat json from the file: every line is one JSON object
      for (const line of err.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('SIGHUP re-reads the config file: log format and access log change, restart-only settings are named, no exit', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(tmp.dir, 'reload.json');
    writeFileSync(file, JSON.stringify({ algs: ['ES256'], logFormat: 'text', cacheMaxAge: '15m' }));
    const proc = spawn(
      process.execPath,
      [
        CLI,
        'serve',
        '--config',
        file,
        '--port',
        '0',
        '--store',
        `sqlite:${join(fresh(), 'reload.db')}`,
        '--no-web',
      ],
      {
        cwd: fresh(),
        env: { ...process.env, JWKIT_ADMIN_TOKEN: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    proc.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
    });
    const until = async (what: () => boolean, label: string) => {
      for (let i = 0; i < 300 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!what()) throw new Error(`${label}:\n${err}`);
    };
    try {
      await until(() => /(?<!admin )listening on (http:\S+)/.test(err), 'no listening line');
      const url = /(?<!admin )listening on (http:\S+)/.exec(err)![1]!;
      writeFileSync(
        file,
        JSON.stringify({ algs: ['ES256'], logFormat: 'json', accessLog: true, cacheMaxAge: '5m' }),
      );
      proc.kill('SIGHUP');
      await until(() => err.includes('"msg":"reloaded"'), 'no reload line');
      expect(err).toMatch(/reload: these settings changed but need a restart.*cacheMaxAge/);
      await (await fetch(`${url}/healthz`)).text();
      await until(() => err.includes('"msg":"request"'), 'no access log line');
      const access = err.split('\n').find((l) => l.includes('"msg":"request"'))!;
      expect(JSON.parse(access)).toMatchObject({
        level: 'info',
        method: 'GET',
        path: '/healthz',
        status: 200,
      });
      expect(proc.exitCode).toBeNull();
    } finally {
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});

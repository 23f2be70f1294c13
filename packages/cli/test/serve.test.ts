/**
 * `jwkit serve`, black-box: the built CLI starts the server on a free loopback port, prints where
 * it listens, serves a JWKS that `jwkit inspect` lints clean of errors, and stops on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, jwkit, ROOT, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();

let child: ChildProcess;
let url: string;
let stderr = '';

beforeAll(async () => {
  const store = `sqlite:${join(tmp.dir, 'keys.db')}`;
  child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--store', store, '--algs', 'ES256', '--no-web'],
    {
      cwd: ROOT,
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
      const r = await jwkit([
        'serve',
        '--port',
        port,
        '--store',
        `sqlite:${join(tmp.dir, 'other.db')}`,
        '--no-web',
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('ERR_LISTEN');
    } finally {
      blocker.close();
    }
  });
});

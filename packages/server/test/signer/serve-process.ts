/**
 * Test helpers for the PKCS#11 tests that run the built CLI (packages/cli/dist/cli.js): a
 * `jwkit serve` child process on loopback, and the check that a store and its token agree.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { thumbprint } from 'jwkit';
import { expect } from 'vitest';
import { CLI } from '../../../cli/test/helpers.js';
import { openToken } from '../../src/pkcs11/index.js';
import { openStore } from '../../src/stores/open.js';

export interface Server {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Public and admin URLs once "listening on" is logged. */
  ready: Promise<{ url: string; admin: string }>;
}

/**
 * A child's environment: this process's, without the variables `drop` matches (a master key,
 * token URI or fault the outer shell set must not reach the child), then `extra` (undefined
 * removes a variable).
 */
export function childEnv(extra: Record<string, string | undefined>, drop: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !drop.test(k)) out[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** `jwkit serve --port 0 --admin-port 0 ...args` in `cwd` with exactly `env`. */
export function serveProcess(args: string[], cwd: string, env: Record<string, string>): Server {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--admin-port', '0', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const ready = new Promise<{ url: string; admin: string }>((done, fail) => {
    const look = (chunk: Buffer) => {
      out += chunk.toString();
      const pub = /(?<!admin )listening on (http:\/\/\S+)/.exec(out);
      const adm = /admin listening on (http:\/\/\S+)/.exec(out);
      if (pub && adm) done({ url: pub[1]!, admin: adm[1]! });
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    exited.then((e) => fail(new Error(`serve exited (${e.code ?? e.signal}) before listening:\n${out}`)));
  });
  ready.catch(() => {});
  return { child, output: () => out, exited, ready };
}

export async function stop(s: Server): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  await s.exited;
}

/**
 * Token and store in step (issue 17.3): every published PKCS#11 key has its object with the
 * stored public key; every jwkit object on the token is a stored, unrevoked key; nothing pending.
 */
export async function inStep(url: string, uri: string): Promise<{ published: string[]; objects: string[] }> {
  const store = await openStore(url, { readOnly: true });
  const rows = (await store.load()).keys;
  await store.close();
  const token = await openToken(uri);
  const objects = await token.list();
  await token.close();
  const published = rows.filter((k) => k.custody && k.state !== 'revoked');
  for (const k of published) {
    const o = objects.find((x) => x.label === k.kid);
    expect(o, `published ${k.kid} has its object`).toBeDefined();
    expect(o!.pending).toBe(false);
    expect(thumbprint(o!.publicJwk!)).toBe(thumbprint(JSON.parse(k.publicJwk!)));
  }
  for (const o of objects) {
    expect(o.pending, `no pending object (${o.label})`).toBe(false);
    const row = rows.find((k) => k.kid === o.label);
    expect(row, `object ${o.label} is known to the store`).toBeDefined();
    expect(row!.state).not.toBe('revoked');
  }
  return { published: published.map((k) => k.kid).sort(), objects: objects.map((o) => o.label).sort() };
}

/** Every jwkit object on the token, destroyed: each test starts from an empty token. */
export async function emptyToken(uri: string): Promise<void> {
  const token = await openToken(uri);
  for (const o of await token.list()) await token.destroy(o.label);
  await token.close();
}

/**
 * A RemoteJWKSet with a background refresh pending never keeps a process alive (remote/clock.ts
 * unrefs its timers): on Node, Bun and Deno, a script that fetches a set and returns without
 * `close()` exits by itself, with the refresh timer still scheduled (max-age=300 from the server).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRuntime } from '../../scripts/runtimes.mjs';
import { type JWKSServer, startJWKSServer } from './jwks-server.js';
import { makeProject, type Project } from './project.js';

let server: JWKSServer;
let project: Project;
let url: string;

beforeAll(async () => {
  [server, project] = await Promise.all([startJWKSServer(), makeProject()]);
  copyFileSync(join(import.meta.dirname, 'exit-script.js'), join(project.dir, 'conformance', 'exit.js'));
  const session = `${server.baseURL}/s/exit`;
  const known = JSON.parse(readFileSync(join(project.dir, 'conformance', 'known-answers.json'), 'utf8'));
  const keys = [known.keys.find((k: { id: string }) => k.id === 'ES256').publicJwk];
  const res = await fetch(session, { method: 'PUT', body: JSON.stringify({ body: { keys } }) });
  expect(res.status).toBe(204);
  url = `${session}/jwks.json`;
  // The same build outside node_modules: Deno then runs it as plain ESM, with web timers.
  cpSync(join(project.dir, 'node_modules', 'jwkit', 'dist'), join(project.dir, 'plain-jwkit'), {
    recursive: true,
  });
  const plain = readFileSync(join(project.dir, 'conformance', 'exit.js'), 'utf8');
  writeFileSync(
    join(project.dir, 'conformance', 'exit-plain.js'),
    plain.replace("'jwkit'", "'../plain-jwkit/index.deno.js'"),
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
});

/** Exit code and stdout; a process still alive after 30 s is killed and fails the test. */
function run(
  bin: string,
  args: string[],
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      {
        cwd: project.dir,
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
      (error, stdout) => {
        const e = error as (NodeJS.ErrnoException & { code?: unknown; signal?: string | null }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
        });
      },
    );
  });
}

describe('a pending background refresh does not keep the process alive', () => {
  const script = () => join(project.dir, 'conformance', 'exit.js');

  it('on Node 24', async () => {
    const r = await run((await ensureRuntime('node24')).bin, [script(), url]);
    expect(r).toEqual({ code: 0, signal: null, stdout: 'fetched\n' });
  });

  it('on Bun', async () => {
    const r = await run((await ensureRuntime('bun')).bin, ['run', script(), url]);
    expect(r).toEqual({ code: 0, signal: null, stdout: 'fetched\n' });
  });

  const deno = async (file: string) => {
    const host = new URL(url).host;
    const args = ['run', '--quiet', '--no-prompt', '--node-modules-dir=manual'];
    return run((await ensureRuntime('deno')).bin, [
      ...args,
      `--allow-read=${project.dir}`,
      `--allow-net=${host}`,
      file,
      url,
    ]);
  };

  it('on Deno, jwkit from node_modules (Node-style timers)', async () => {
    expect(await deno(script())).toEqual({ code: 0, signal: null, stdout: 'fetched\n' });
  });

  it('on Deno, jwkit as plain ESM (not loaded as an npm package)', async () => {
    const file = join(project.dir, 'conformance', 'exit-plain.js');
    expect(await deno(file)).toEqual({ code: 0, signal: null, stdout: 'fetched\n' });
  });
});

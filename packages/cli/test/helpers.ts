/**
 * Black-box helpers: every CLI test spawns the BUILT bundle (`node dist/cli.js`), exactly what
 * `npx jwkit` runs. `npm test` builds before vitest; run `npm run build` before running these
 * files alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The bundle under test; `JWKIT_TEST_CLI` points elsewhere (a scratch build) while developing. */
export const CLI = process.env.JWKIT_TEST_CLI ?? join(ROOT, 'packages', 'cli', 'dist', 'cli.js');

export function assertBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: the CLI tests run the built bundle; run \`npm run build\` first`);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. Without it stdin is an empty pipe. */
  input?: string | Uint8Array;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the child after this many ms (a hung CLI must fail the test, not the suite). */
  timeout?: number;
}

/** Runs `node dist/cli.js ...args` and collects its exit code and output. */
export function jwkit(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runProcess(process.execPath, [CLI, ...args], options);
}

export function runProcess(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NO_COLOR: undefined,
      FORCE_COLOR: undefined,
    };
    for (const [k, v] of Object.entries(options.env ?? {})) env[k] = v;
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(file, [...args], { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {}); // The child may exit before reading all of it.
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh temp directory, removed by the returned cleanup function. */
export function tempDir(prefix = 'jwkit-cli-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Output that must never reach a user: a JavaScript stack trace. */
export const STACK_TRACE = /\n\s+at .+[(:]\d+/;

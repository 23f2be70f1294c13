/**
 * One runner per runtime family. Each loads the conformance suite and the installed `jwkit` from
 * the project (test/runtimes/project.ts) the way that runtime's users do and answers the suite's
 * result object: `{ runtime, results: { case: "pass" | "fail: ..." }, ms, totalMs }`.
 * - Node: `node conformance/run-cli.js <base>`, Bun: `bun run conformance/run-cli.js <base>`, in
 *   the project directory.
 * - Deno: `deno run` with the project's package.json and node_modules (Deno's "bring your own
 *   node_modules" mode), permissions limited to reading the project and connecting to the JWKS
 *   server: `--node-modules-dir=manual --allow-read=<project> --allow-net=127.0.0.1:<port>`.
 * - workerd: the suite bundled as wrangler bundles it, run as a module worker by miniflare; the
 *   result comes back as the worker's fetch response.
 * - Chromium: the suite bundled for the browser, loaded from the JWKS server's origin by
 *   /usr/bin/chromium headless through playwright-core.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { bundle, type Project } from './project.js';

export interface SuiteResult {
  runtime: { family: string; version: string; backend?: string };
  /** Which backend verifies each algorithm configuration there. */
  backends?: Record<string, string>;
  results: Record<string, string>;
  ms: Record<string, number>;
  totalMs: number;
}

const TIMEOUT = 120_000;

function lastJSONLine(stdout: string, stderr: string, what: string): SuiteResult {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${what} printed no result line; stderr: ${stderr.slice(-2000)}`);
  return JSON.parse(line) as SuiteResult;
}

function spawnSuite(bin: string, args: string[], project: Project, what: string): Promise<SuiteResult> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      {
        cwd: project.dir,
        timeout: TIMEOUT,
        maxBuffer: 1 << 24,
        // No NODE_OPTIONS or npm settings of the test process leak into the runtime under test.
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        try {
          resolve(lastJSONLine(stdout, stderr, what));
        } catch (parseError) {
          reject(
            error
              ? new Error(`${what} failed: ${error.message}; stderr: ${stderr.slice(-2000)}`)
              : parseError,
          );
        }
      },
    );
  });
}

export function runNode(bin: string, project: Project, baseURL: string, only?: string): Promise<SuiteResult> {
  return spawnSuite(bin, [project.cli, baseURL, ...(only ? [only] : [])], project, bin);
}

export function runBun(bin: string, project: Project, baseURL: string, only?: string): Promise<SuiteResult> {
  return spawnSuite(bin, ['run', project.cli, baseURL, ...(only ? [only] : [])], project, 'bun');
}

export function runDeno(bin: string, project: Project, baseURL: string, only?: string): Promise<SuiteResult> {
  const { host } = new URL(baseURL);
  return spawnSuite(
    bin,
    [
      'run',
      '--quiet',
      '--no-prompt',
      '--node-modules-dir=manual',
      `--allow-read=${project.dir}`,
      `--allow-net=${host}`,
      project.cli,
      baseURL,
      ...(only ? [only] : []),
    ],
    project,
    'deno',
  );
}

interface MiniflareLike {
  ready: Promise<unknown>;
  dispatchFetch(url: string): Promise<{ status: number; text(): Promise<string> }>;
  dispose(): Promise<void>;
}

export async function runWorkerd(
  miniflareModule: string,
  project: Project,
  baseURL: string,
  only?: string,
): Promise<SuiteResult> {
  const { Miniflare } = (await import(pathToFileURL(miniflareModule).href)) as {
    Miniflare: new (options: Record<string, unknown>) => MiniflareLike;
  };
  const script = await bundle(project, 'workerd');
  const mf = new Miniflare({
    modules: true,
    script,
    // The newest date the pinned workerd knows is its release date; an older one is fine.
    compatibilityDate: '2026-07-01',
  });
  try {
    await mf.ready;
    const query = new URLSearchParams({ base: baseURL, ...(only ? { only } : {}) });
    const res = await mf.dispatchFetch(`http://conformance.test/?${query}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`workerd answered ${res.status}: ${text.slice(0, 2000)}`);
    const result = JSON.parse(text) as SuiteResult;
    // A worker cannot see its runtime's version; the workerd package miniflare installed says it.
    const workerd = join(
      miniflareModule.slice(0, miniflareModule.lastIndexOf('node_modules')),
      'node_modules',
      'workerd',
      'package.json',
    );
    result.runtime.version = `workerd ${JSON.parse(readFileSync(workerd, 'utf8')).version}`;
    return result;
  } finally {
    await mf.dispose();
  }
}

export const CHROMIUM = '/usr/bin/chromium';

export async function runChromium(
  server: { baseURL: string; setBrowserBundle(code: string): void },
  project: Project,
  only?: string,
): Promise<SuiteResult> {
  server.setBrowserBundle(await bundle(project, 'browser'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // The machine's closed network refuses Chromium's own background connections.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.baseURL}/conformance.html${only ? `?only=${encodeURIComponent(only)}` : ''}`);
    await page.waitForFunction(() => '__conformance' in globalThis, undefined, { timeout: TIMEOUT });
    const text = await page.evaluate(
      () => (globalThis as unknown as { __conformance: Promise<string> }).__conformance,
    );
    const parsed = JSON.parse(text) as SuiteResult & { error?: string };
    if (parsed.error) throw new Error(`the page failed: ${parsed.error} ${errors.join('; ')}`);
    // The user agent string is frozen at x.0.0.0 (UA reduction); the browser knows its build.
    parsed.runtime.version = `Chromium ${browser.version()}`;
    return parsed;
  } finally {
    await browser.close();
  }
}

/**
 * The runtime conformance matrix (issue 12): the one suite in test/conformance, run against the
 * installed `jwkit` on Node 20.19 (the lowest `engines` allows), 22, 24 and 26, Bun, Deno,
 * workerd (miniflare) and Chromium. Runtimes come pinned from the npm registry through
 * scripts/runtimes.mjs (cached in ~/.cache/jwkit/runtimes; .ci/run fetches them first). Prints
 * one row per runtime with its pass count, then every failing case with its error; any failing
 * case, on any runtime, fails the test of that runtime.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRuntime } from '../../scripts/runtimes.mjs';
import { type JWKSServer, startJWKSServer } from './jwks-server.js';
import { makeProject, type Project } from './project.js';
import { CHROMIUM, runBun, runChromium, runDeno, runNode, runWorkerd, type SuiteResult } from './runners.js';

/**
 * For local runs: JWKIT_CONFORMANCE_ONLY=<case RegExp>, JWKIT_RUNTIMES_ONLY=node20,bun, and
 * JWKIT_CONFORMANCE_REPORT=<file> to write every runtime's full result (timings included) as JSON.
 */
const ONLY_CASES = process.env.JWKIT_CONFORMANCE_ONLY || undefined;
const ONLY_RUNTIMES = process.env.JWKIT_RUNTIMES_ONLY?.split(',').filter(Boolean);

interface Target {
  readonly name: string;
  run(ctx: Context): Promise<SuiteResult>;
}
interface Context {
  project: Project;
  server: JWKSServer;
}

const nodeTarget = (name: string): Target => ({
  name,
  run: async (c) => runNode((await ensureRuntime(name)).bin, c.project, c.server.baseURL, ONLY_CASES),
});

const ALL_TARGETS: Target[] = [
  nodeTarget('node20'),
  nodeTarget('node22'),
  nodeTarget('node24'),
  nodeTarget('node26'),
  {
    name: 'bun',
    run: async (c) => runBun((await ensureRuntime('bun')).bin, c.project, c.server.baseURL, ONLY_CASES),
  },
  {
    name: 'deno',
    run: async (c) => runDeno((await ensureRuntime('deno')).bin, c.project, c.server.baseURL, ONLY_CASES),
  },
  {
    name: 'workerd',
    run: async (c) =>
      runWorkerd((await ensureRuntime('miniflare')).bin, c.project, c.server.baseURL, ONLY_CASES),
  },
  {
    name: 'chromium',
    run: (c) => {
      if (!existsSync(CHROMIUM))
        throw new Error(`${CHROMIUM} is missing (.ci/run installs Debian's chromium)`);
      return runChromium(c.server, c.project, ONLY_CASES);
    },
  },
];
const TARGETS = ALL_TARGETS.filter((t) => !ONLY_RUNTIMES || ONLY_RUNTIMES.includes(t.name));

/** Two at a time: the machine has two cores, and each runtime keeps one busy. */
async function inPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

type Outcome =
  | { ok: true; result: SuiteResult; seconds: number }
  | { ok: false; error: string; seconds: number };

const outcomes = new Map<string, Outcome>();
let ctx: Context | undefined;

function failures(o: Outcome): [string, string][] {
  if (!o.ok) return [['(runner)', o.error]];
  return Object.entries(o.result.results).filter(([, v]) => v.startsWith('fail'));
}

function matrixText(): string {
  const names = [...outcomes.keys()];
  const reference = [...outcomes.values()].find((o) => o.ok);
  const caseCount = reference?.ok ? Object.keys(reference.result.results).length : 0;
  const lines = [`${'runtime'.padEnd(9)} ${'version'.padEnd(26)} pass  fail  s`];
  for (const name of names) {
    const o = outcomes.get(name)!;
    const version = o.ok ? o.result.runtime.version.slice(0, 26) : '-';
    const fail = failures(o).length;
    const pass = o.ok ? Object.values(o.result.results).filter((v) => v.startsWith('pass')).length : 0;
    lines.push(
      `${name.padEnd(9)} ${version.padEnd(26)} ${String(pass).padStart(4)}  ${String(fail).padStart(4)}  ${o.seconds.toFixed(1)}`,
    );
  }
  lines.push(`(${caseCount} cases per runtime)`);
  for (const name of names) {
    const o = outcomes.get(name)!;
    if (!o.ok || !o.result.backends) continue;
    const by = new Map<string, string[]>();
    for (const [id, b] of Object.entries(o.result.backends)) by.set(b, [...(by.get(b) ?? []), id]);
    const parts = [...by].map(([b, ids]) => `${b}: ${ids.join(' ')}`);
    lines.push(`backends ${name} (${o.result.runtime.backend ?? '?'}) | ${parts.join(' | ')}`);
  }
  for (const name of names) {
    const o = outcomes.get(name)!;
    for (const [c, why] of failures(o)) lines.push(`FAIL ${name} | ${c} | ${why}`);
    if (o.ok)
      for (const [c, v] of Object.entries(o.result.results))
        if (v.startsWith('pass (')) lines.push(`note ${name} | ${c} | ${v}`);
  }
  return lines.join('\n');
}

describe('runtime conformance matrix', () => {
  beforeAll(async () => {
    const started = Date.now();
    const [project, server] = await Promise.all([
      makeProject(),
      startJWKSServer(),
      // All downloads first, in parallel (no-ops when cached).
      Promise.all(['node20', 'node22', 'node24', 'node26', 'bun', 'deno', 'miniflare'].map(ensureRuntime)),
    ]);
    ctx = { project, server };
    const setup = (Date.now() - started) / 1000;
    await inPool(TARGETS, 2, async (t) => {
      const t0 = Date.now();
      try {
        const result = await t.run(ctx!);
        outcomes.set(t.name, { ok: true, result, seconds: (Date.now() - t0) / 1000 });
      } catch (err) {
        outcomes.set(t.name, {
          ok: false,
          error: String(err).slice(0, 3000),
          seconds: (Date.now() - t0) / 1000,
        });
      }
    });
    const order = TARGETS.map((t) => t.name);
    const sorted = new Map([...outcomes].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)));
    outcomes.clear();
    for (const [k, v] of sorted) outcomes.set(k, v);
    console.log(`runtime conformance matrix (setup ${setup.toFixed(1)} s)\n${matrixText()}`);
    const report = process.env.JWKIT_CONFORMANCE_REPORT;
    if (report) await writeFile(report, JSON.stringify(Object.fromEntries(outcomes), null, 1));
  }, 600_000);

  afterAll(async () => {
    await ctx?.server.close();
    if (ctx) await rm(ctx.project.dir, { recursive: true, force: true });
  });

  it.each(TARGETS.map((t) => t.name))('%s passes every case', (name) => {
    const o = outcomes.get(name);
    expect(o, `${name} ran`).toBeDefined();
    expect(failures(o!)).toEqual([]);
  });

  it('every runtime ran the same cases', () => {
    const sets = [...outcomes.values()]
      .filter((o) => o.ok)
      .map((o) => Object.keys(o.result.results).sort().join('\n'));
    expect(new Set(sets).size).toBeLessThanOrEqual(1);
    expect(sets.length).toBeGreaterThan(0);
  });
});

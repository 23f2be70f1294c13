// verifyJWT throughput on every runtime (issue 12 item 3), each as a ratio to THAT runtime's own
// WebCrypto verifying the same token (crypto.subtle.verify on a prepared CryptoKey, after split and
// base64url decode only) and to Node 24's jwkit. One token set, made here on Node 24, for all.
//
// Each runtime loads jwkit the way it would from npm: `import 'jwkit'` bundled by esbuild with that
// runtime's export conditions, resolved through packages/jwkit/package.json's "exports" (onto the
// TypeScript sources, so no build is needed). Bun: bun, node; Deno: deno, node; Chromium: browser;
// Node: node. A runtime can be given extra variants to compare entries side by side in one process
// (each variant is its own bundle, so each has its own active backend).
//
// Run: npm run bench:runtimes
//   env: MS=<ms per sample, default 150>, ROUNDS=<rounds, default 9>, RUNTIMES=node24,bun,deno,chromium
//        VARIANTS=1 also runs each runtime's other plausible entries (e.g. Deno on the node export)
//        BEFORE_DIR=<older packages/jwkit, e.g. from git archive> adds that version as a variant
//        PROFILE=<alg> [PROFILE_CONTENDER=webcrypto] writes a Chromium CPU profile (3 s) to the temp dir
// Headline figures are per CPU second of the runtime's process (every thread): on a shared machine
// they do not count time other processes held the core. Wall-clock medians are printed too.
// Runtimes come from scripts/runtimes.mjs (npm registry, cached); Chromium is /usr/bin/chromium.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { ensureRuntime } from '../../scripts/runtimes.mjs';
import { loadJwkit } from '../load-jwkit.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const MS = Number(process.env.MS ?? 150);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const TOKENS = 32;
const ALGS = ['RS256', 'ES256', 'EdDSA', 'HS256', 'ML-DSA-65'];
const CHROMIUM = '/usr/bin/chromium';
// JWKIT_PACKAGE_DIR=<a checkout's packages/jwkit> benchmarks another version (e.g. `git archive`
// of an older commit) with this repository's node_modules: before/after figures in one setup.
const PKG_DIR = resolve(process.env.JWKIT_PACKAGE_DIR ?? join(root, 'packages/jwkit'));

/**
 * Which export conditions each runtime sets (first match in package.json order wins). Bun and
 * Deno also set `node`; bundlers targeting browsers set `browser`; wrangler sets workerd, worker.
 */
const RUNTIMES = {
  node24: { conditions: ['node'], platform: 'node', variants: {} },
  bun: { conditions: ['bun', 'node'], platform: 'node', variants: { 'node export': ['node'] } },
  deno: {
    conditions: ['deno', 'node'],
    platform: 'node',
    variants: { 'node export': ['node'], 'default export': [] },
  },
  chromium: { conditions: ['browser'], platform: 'browser', variants: { 'default export': [] } },
};

/** The file package.json's "exports" gives `jwkit` under `conditions`, mapped back to src/. */
function resolveEntry(conditions, pkgDir = PKG_DIR) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const active = new Set([...conditions, 'import', 'default']);
  let target = pkg.exports['.'];
  while (typeof target !== 'string') {
    const key = Object.keys(target).find((k) => k !== 'types' && active.has(k));
    if (key === undefined) throw new Error(`no export of jwkit matches ${conditions.join(', ')}`);
    target = target[key];
  }
  return join(pkgDir, target.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
}

async function bundleVariant(dir, label, conditions, platform, pkgDir = PKG_DIR) {
  const entry = resolveEntry(conditions, pkgDir);
  const file = join(dir, `jwkit-${label.replace(/\W+/g, '-')}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform,
    outfile: file,
    logLevel: 'warning',
    nodePaths: [join(root, 'node_modules')],
    // node: built-ins stay imports: Node, Bun and Deno provide them.
    external: ['node:*'],
  });
  return { file, entry: entry.slice(pkgDir.length + 1) };
}

async function makeCases(jwkit) {
  const cases = [];
  const exp = Math.floor(Date.now() / 1000) + 24 * 3600;
  for (const alg of ALGS) {
    const keys = [];
    for (let i = 0; i < 10; i++)
      keys.push(await jwkit.generateJWK({ alg, kid: `key-${i}`, allowDeprecated: true }));
    const signer = 7;
    const tokens = [];
    for (let i = 0; i < TOKENS; i++)
      tokens.push(await jwkit.signJWT({ sub: `user-${i}`, scope: 'read write', exp }, keys[signer]));
    const pub = alg === 'HS256' ? keys : keys.map((k) => jwkit.toPublic(k));
    cases.push({ alg, keys: pub, signer, tokens });
  }
  return cases;
}

function mainSource(variants) {
  const imports = variants.map((v, i) => `import * as v${i} from './${v.file.split('/').pop()}';`).join('\n');
  const map = variants.map((v, i) => `${JSON.stringify(v.label)}: v${i}`).join(', ');
  return `${imports}
import { createBench } from './harness.mjs';
import { cases } from './cases.mjs';
export const bench = () => createBench({ ${map} }, cases);
`;
}

// Node, Bun and Deno all have node:process; its cpuUsage counts every thread of the process.
const RUN_SOURCE = `import process from 'node:process';
import { runBench } from './harness.mjs';
import { bench } from './main.mjs';
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
console.log(JSON.stringify(await runBench(await bench(), { ms: ${MS}, rounds: ${ROUNDS}, cpuMs })));
`;

async function prepare(name, cases) {
  const spec = RUNTIMES[name];
  const dir = mkdtempSync(join(tmpdir(), `jwkit-bench-${name}-`));
  writeFileSync(join(dir, 'cases.mjs'), `export const cases = ${JSON.stringify(cases)};\n`);
  writeFileSync(join(dir, 'harness.mjs'), readFileSync(join(here, 'harness.mjs')));
  const wanted = { [name]: spec.conditions };
  if (process.env.VARIANTS === '1') Object.assign(wanted, spec.variants);
  const variants = [];
  for (const [label, conditions] of Object.entries(wanted)) {
    const { file, entry } = await bundleVariant(dir, label, conditions, spec.platform);
    variants.push({ label, file, entry });
  }
  if (process.env.BEFORE_DIR) {
    // BEFORE_DIR=<an older packages/jwkit>: that version as one more variant, in the same process.
    const before = resolve(process.env.BEFORE_DIR);
    const { file, entry } = await bundleVariant(dir, 'before', spec.conditions, spec.platform, before);
    variants.push({ label: 'before', file, entry });
  }
  writeFileSync(join(dir, 'main.mjs'), mainSource(variants));
  writeFileSync(join(dir, 'run.mjs'), RUN_SOURCE);
  return { dir, variants };
}

async function runProcess(name, dir) {
  const opts = { cwd: dir, maxBuffer: 1 << 24, timeout: 20 * 60_000 };
  if (name === 'node24') return (await run(process.execPath, ['run.mjs'], opts)).stdout;
  const { bin } = await ensureRuntime(name);
  const args = name === 'deno' ? ['run', '-A', 'run.mjs'] : ['run.mjs'];
  const version = (await run(bin, ['--version'])).stdout.split('\n')[0];
  process.stderr.write(`${name}: ${version}\n`);
  return (await run(bin, args, opts)).stdout;
}

async function runChromium(dir) {
  const { chromium } = await import('playwright-core');
  const script = (
    await build({
      stdin: {
        contents:
          "import { bench } from './main.mjs'; import { summarize } from './harness.mjs'; globalThis.jwkitBench = { bench, summarize };",
        resolveDir: dir,
      },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'warning',
    })
  ).outputFiles[0].text;
  // Served from 127.0.0.1, a secure context, so crypto.subtle exists as on any https page.
  const server = createServer((req, res) => {
    if (req.url === '/entry.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><script src="/entry.js"></script>');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => 'jwkitBench' in globalThis);
    process.stderr.write(`chromium: ${browser.version()}\n`);
    // The page cannot read CPU time: the renderer's (every thread, WebCrypto's workers too) comes
    // from the browser over CDP, read around each sample, which this side drives.
    const cdp = await browser.newBrowserCDPSession();
    const rendererCpuMs = async () => {
      const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
      return 1000 * processInfo.filter((p) => p.type === 'renderer').reduce((t, p) => t + p.cpuTime, 0);
    };
    const algs = await page.evaluate(async () => {
      globalThis.state = await globalThis.jwkitBench.bench();
      return globalThis.state.algs;
    });
    if (process.env.PROFILE) {
      // PROFILE=<alg>: a CPU profile of jwkit verifying that alg's tokens for 3 s, in /tmp.
      const i = algs.findIndex((a) => a.alg === process.env.PROFILE);
      const session = await page.context().newCDPSession(page);
      await session.send('Profiler.enable');
      await session.send('Profiler.start');
      const profiled = await page.evaluate(
        ([i, n]) => globalThis.state.sample(i, n, 3000),
        [i, process.env.PROFILE_CONTENDER ?? 'jwkit:chromium'],
      );
      const { profile } = await session.send('Profiler.stop');
      const file = join(tmpdir(), `jwkit-chromium-${process.env.PROFILE}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(
        `profile: ${file} (${profiled.ops} verifications in ${Math.round(profiled.wallMs)} ms)\n`,
      );
    }
    const sampleIn = (i, name) =>
      page.evaluate(([i, name, ms]) => globalThis.state.sample(i, name, ms), [i, name, MS]);
    const results = [];
    for (let i = 0; i < algs.length; i++) {
      const { alg, status, names } = algs[i];
      for (const name of names) await sampleIn(i, name);
      const acc = Object.fromEntries(names.map((n) => [n, { wall: [], ops: 0, cpu: 0 }]));
      for (let r = 0; r < ROUNDS; r++) {
        for (const name of names) {
          const c0 = await rendererCpuMs();
          const { ops, wallMs } = await sampleIn(i, name);
          acc[name].cpu += (await rendererCpuMs()) - c0;
          acc[name].ops += ops;
          acc[name].wall.push((ops * 1000) / wallMs);
        }
      }
      results.push({ alg, status, ops: await page.evaluate((a) => globalThis.jwkitBench.summarize(a), acc) });
    }
    return JSON.stringify(results);
  } finally {
    await browser.close();
    server.close();
  }
}

const jwkit = await loadJwkit();
const cases = await makeCases(jwkit);
const names = (process.env.RUNTIMES ?? 'node24,bun,deno,chromium')
  .split(',')
  .filter((n) => n !== 'chromium' || existsSync(CHROMIUM));
const all = {};
for (const name of names) {
  const { dir, variants } = await prepare(name, cases);
  try {
    const out = name === 'chromium' ? await runChromium(dir) : await runProcess(name, dir);
    all[name] = { variants, results: JSON.parse(out.trim().split('\n').pop()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`${name} done\n`);
}

const fmt = (n) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const ratio = (a, b) => (a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`);
const nodeOps = (alg, metric) =>
  all.node24?.results.find((r) => r.alg === alg)?.ops['jwkit:node24']?.[metric];
console.log(
  `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}), ${ROUNDS} alternating rounds × ${MS} ms per contender`,
);
for (const metric of ['cpu', 'wall']) {
  console.log(
    metric === 'cpu'
      ? '\nVerifications per CPU second (the runtime process, every thread; all rounds):\n'
      : '\nVerifications per wall-clock second (median of the rounds):\n',
  );
  console.log(
    '| runtime | entry (export) | alg | jwkit verifyJWT | WebCrypto verify | jwkit / WebCrypto | jwkit / Node 24 jwkit |',
  );
  console.log('|---|---|---|---:|---:|---:|---:|');
  for (const [name, { variants, results }] of Object.entries(all)) {
    for (const r of results) {
      for (const v of variants) {
        const ops = r.ops[`jwkit:${v.label}`]?.[metric];
        const entry = `${v.label === name ? '' : `${v.label}: `}${v.entry}`;
        const cell = r.status[v.label] === 'ok' ? fmt(ops) : r.status[v.label];
        const web = r.ops.webcrypto?.[metric];
        console.log(
          `| ${name} | ${entry} | ${r.alg} | ${cell} | ${fmt(web)} | ${ratio(ops, web)} | ${ratio(ops, nodeOps(r.alg, metric))} |`,
        );
      }
    }
  }
}

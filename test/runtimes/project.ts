/**
 * A throwaway project in which `jwkit` is installed the way a user gets it: node_modules/jwkit
 * holds the package.json and a `dist` built by tsc from packages/jwkit (the files `npm pack`
 * ships), next to copies of its dependencies (@noble/curves, @noble/hashes and the optional peer
 * @noble/post-quantum, with @noble/ciphers which post-quantum needs) taken from the repo's
 * node_modules. The conformance suite is copied to conformance/, so its bare `import 'jwkit'`
 * resolves through this node_modules on every runtime, with that runtime's export conditions.
 * Built privately (own outDir), so a concurrent `npm run build` elsewhere cannot disturb a run.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { REPO_ROOT } from '../helpers/packages.js';

const run = promisify(execFile);
const NOBLE = ['curves', 'hashes', 'post-quantum', 'ciphers'];
const SUITE_FILES = ['suite.js', 'harness.js', 'known-answers.json', 'run-cli.js', 'worker.js', 'browser.js'];

export interface Project {
  readonly dir: string;
  /** conformance/run-cli.js inside the project. */
  readonly cli: string;
}

export async function makeProject(): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), 'jwkit-conformance-'));
  const pkg = join(dir, 'node_modules', 'jwkit');
  mkdirSync(pkg, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'jwkit', 'package.json'), 'utf8'));
  writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2));
  await run(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(REPO_ROOT, 'packages', 'jwkit', 'tsconfig.build.json'),
      '--outDir',
      join(pkg, 'dist'),
      '--declaration',
      'false',
      '--declarationMap',
      'false',
      // Emit only: type errors are the typecheck's business (npm run typecheck), not this run's.
      '--noCheck',
    ],
    { cwd: REPO_ROOT, maxBuffer: 1 << 24 },
  );
  const deps: Record<string, string> = { jwkit: manifest.version };
  for (const name of NOBLE) {
    const from = realpathSync(join(REPO_ROOT, 'node_modules', '@noble', name));
    cpSync(from, join(dir, 'node_modules', '@noble', name), { recursive: true, dereference: true });
    deps[`@noble/${name}`] = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')).version;
  }
  // Deno reads this to resolve bare specifiers through node_modules ("bring your own node_modules").
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'jwkit-conformance', private: true, type: 'module', dependencies: deps }, null, 2),
  );
  mkdirSync(join(dir, 'conformance'));
  for (const f of SUITE_FILES) cpSync(join(REPO_ROOT, 'test', 'conformance', f), join(dir, 'conformance', f));
  return { dir, cli: join(dir, 'conformance', 'run-cli.js') };
}

/**
 * The suite bundled with esbuild from the project, as a bundler user would: for workerd the way
 * wrangler bundles (conditions workerd, worker, browser; ESM), for a page `platform: 'browser'`.
 */
export async function bundle(project: Project, target: 'workerd' | 'browser'): Promise<string> {
  const out = await build({
    absWorkingDir: project.dir,
    entryPoints: [join(project.dir, 'conformance', target === 'workerd' ? 'worker.js' : 'browser.js')],
    bundle: true,
    write: false,
    format: target === 'workerd' ? 'esm' : 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: target === 'workerd' ? ['workerd', 'worker', 'browser'] : ['browser'],
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

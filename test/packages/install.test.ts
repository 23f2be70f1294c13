/**
 * The packages as a user installs them (issue 11): each built package is packed with `npm pack`
 * and installed from its tarball into a fresh project, then measured and run there.
 * - `jwkit` (the library): no database driver, no HTTP framework, no install script, no native
 *   addon, node_modules under 4 MB; it loads from ESM and from require(), and type-checks under
 *   TypeScript's node16 and bundler resolution.
 * - `@jwkit/cli`: one install gives the `jwkit` command; `serve` answers the JWKS on this Node
 *   (>= 22.13), and an older Node gets one line naming the version it needs.
 * - `@jwkit/server` (with `jwkit`): opens its embedded store; a postgres:// store without `pg`
 *   names the package to install.
 * Needs `npm run build` first (npm test builds before it runs the tests).
 */

import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRuntime } from '../../scripts/runtimes.mjs';
import { REPO_ROOT } from '../helpers/packages.js';

const work = mkdtempSync(join(tmpdir(), 'jwkit-install-'));
const tarballs: Record<string, string> = {};
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });

function project(name: string, ...packages: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  npm(['install', ...packages.map((p) => tarballs[p]!)], dir);
  return dir;
}

/** Every installed package directory below node_modules (scoped ones included). */
function installed(dir: string): string[] {
  const root = join(dir, 'node_modules');
  return readdirSync(root)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => (n.startsWith('@') ? readdirSync(join(root, n)).map((m) => `${n}/${m}`) : [n]));
}

function sizeOf(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, n) => sum + sizeOf(join(path, n)), 0);
}

/** Node 20.19, the lowest `engines` allows, pinned in scripts/runtimes.mjs (cached; .ci/run fetches it). */
const OLD_NODE = (await ensureRuntime('node20')).bin;

function files(path: string): string[] {
  return lstatSync(path).isDirectory() ? readdirSync(path).flatMap((n) => files(join(path, n))) : [path];
}

beforeAll(() => {
  for (const pkg of ['jwkit', 'server', 'cli']) {
    const dir = join(REPO_ROOT, 'packages', pkg);
    if (!existsSync(join(dir, 'dist'))) throw new Error(`packages/${pkg}/dist is missing: run npm run build`);
    const name = npm(['pack', '--pack-destination', work], dir).trim().split('\n').at(-1)!;
    tarballs[pkg] = join(work, name);
  }
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('jwkit, the library', () => {
  let dir: string;
  beforeAll(() => {
    dir = project('lib-user', 'jwkit');
  }, 120_000);

  it('installs three packages, under 4 MB, with no driver, framework, install script or native addon', () => {
    expect(installed(dir).sort()).toEqual(['@noble/curves', '@noble/hashes', 'jwkit']);
    expect(sizeOf(join(dir, 'node_modules'))).toBeLessThan(4 * 1024 * 1024);
    for (const name of installed(dir)) {
      const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8'));
      for (const hook of ['preinstall', 'install', 'postinstall'])
        expect(manifest.scripts?.[hook]).toBeUndefined();
      expect(files(join(dir, 'node_modules', name)).filter((f) => f.endsWith('.node'))).toEqual([]);
    }
  });

  it('verifies a token it signed, from ESM and from require(), on Node 24 and on Node 20.19+', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      `import { generateJWK, JWKSet, signJWT, toPublic, verifyJWT } from 'jwkit';
       const key = await generateJWK({ alg: 'ES256' });
       const token = await signJWT({ sub: 'alice' }, key, { expiresIn: '5m' });
       const { payload } = await verifyJWT(token, JWKSet.from({ keys: [toPublic(key)] }));
       console.log(payload.sub);`,
    );
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `const { thumbprint } = require('jwkit'); console.log(typeof thumbprint);`,
    );
    for (const node of [process.execPath, OLD_NODE]) {
      const run = (file: string) => execFileSync(node, [file], { cwd: dir, encoding: 'utf8' }).trim();
      expect(run('esm.mjs')).toBe('alice');
      expect(run('cjs.cjs')).toBe('function');
    }
  });

  it('signs with ML-DSA natively on Node 24 without @noble/post-quantum, and names it where it is needed', () => {
    writeFileSync(
      join(dir, 'mldsa.mjs'),
      `import { generateJWK, signJWT } from 'jwkit';
       try {
         const key = await generateJWK({ alg: 'ML-DSA-65' });
         console.log((await signJWT({ sub: 'a' }, key)).split('.').length);
       } catch (e) { console.log(e.code, e.message); }`,
    );
    expect(installed(dir)).not.toContain('@noble/post-quantum');
    const native = execFileSync(process.execPath, ['mldsa.mjs'], { cwd: dir, encoding: 'utf8' }).trim();
    expect(native).toBe('3');
    const fallback = execFileSync(OLD_NODE, ['mldsa.mjs'], { cwd: dir, encoding: 'utf8' }).trim();
    expect(fallback).toMatch(/^ERR_UNSUPPORTED .*npm install @noble\/post-quantum/);
  });

  // node16 resolves the `node` condition, whose declarations use node:crypto (so @types/node, as
  // in any Node project); bundler resolves the isomorphic declarations, which need no Node types.
  for (const [module, moduleResolution, types] of [
    ['node16', 'node16', ['node']],
    ['esnext', 'bundler', []],
  ] as const) {
    it(`type-checks with moduleResolution ${moduleResolution}`, () => {
      const sub = join(dir, `ts-${moduleResolution}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(
        join(sub, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module,
            moduleResolution,
            target: 'es2022',
            strict: true,
            noEmit: true,
            types,
            typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
          },
          files: ['main.ts'],
        }),
      );
      writeFileSync(join(sub, 'package.json'), JSON.stringify({ type: 'module' }));
      writeFileSync(
        join(sub, 'main.ts'),
        `import { type JWK, RemoteJWKSet, thumbprint, verifyJWT } from 'jwkit';
         const key: JWK = { kty: 'oct', k: 'AAAA' };
         export const check: string = thumbprint(key);
         export const remote = new RemoteJWKSet('https://issuer.example/.well-known/jwks.json');
         export const verify: typeof verifyJWT = verifyJWT;
         // @ts-expect-error: a wrong option type must be caught, so the types really were loaded
         thumbprint(key, { hash: 42 });`,
      );
      const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      try {
        execFileSync(process.execPath, [tsc, '-p', sub], { cwd: sub, encoding: 'utf8' });
      } catch (err) {
        throw new Error(`tsc (${moduleResolution}) failed:\n${(err as { stdout: string }).stdout}`);
      }
    });
  }
});

describe('@jwkit/cli, the command', () => {
  let dir: string;
  beforeAll(() => {
    dir = project('cli-user', 'cli');
  }, 120_000);

  it('is one self-contained package with the jwkit bin', () => {
    expect(installed(dir)).toEqual(['@jwkit/cli']);
    const version = execFileSync(
      process.execPath,
      [join(dir, 'node_modules', '.bin', 'jwkit'), '--version'],
      {
        encoding: 'utf8',
      },
    );
    expect(version.trim()).toBe(
      JSON.parse(readFileSync(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')).version,
    );
  });

  it('jwkit serve answers /.well-known/jwks.json on its embedded store', async () => {
    const child = spawn(
      process.execPath,
      [join(dir, 'node_modules', '.bin', 'jwkit'), 'serve', '--port', '0'],
      // A first start with nothing given: serve creates its store and a master key file.
      { cwd: dir, env: { ...process.env, JWKIT_MASTER_KEY: undefined } },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const onData = (chunk: Buffer) => {
          out += chunk.toString();
          const m = /listening on (http:\/\/[^\s;]+)/.exec(out);
          if (m) resolve(m[1]!);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      // The listener answers while the first keys are made (/readyz 503); wait until it is ready.
      for (let i = 0; i < 300 && (await fetch(`${url}/readyz`)).status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const res = await fetch(`${url}/.well-known/jwks.json`);
      expect(res.status).toBe(200);
      const { keys } = (await res.json()) as { keys: { kid: string; d?: string }[] };
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key.d).toBeUndefined();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('on Node 20 the key commands run, and jwkit serve says which Node it needs, in one line, exit 1', () => {
    const bin = join(dir, 'node_modules', '.bin', 'jwkit');
    const jwk = JSON.parse(
      execFileSync(OLD_NODE, [bin, 'generate', '--alg', 'ES256'], { cwd: dir, encoding: 'utf8' }),
    );
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    let stderr = '';
    let status = 0;
    try {
      execFileSync(OLD_NODE, [bin, 'serve'], { cwd: dir, stdio: 'pipe' });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/needs Node\.js 22\.13 or newer.*\[ERR_CLI_NODE_VERSION\]/);
  });
});

describe('@jwkit/server, the embeddable server', () => {
  let dir: string;
  beforeAll(() => {
    dir = project('server-user', 'jwkit', 'server');
  }, 120_000);

  it('opens its embedded SQLite store, and a postgres:// store without pg names the package', () => {
    expect(installed(dir)).not.toContain('pg');
    writeFileSync(
      join(dir, 'open.mjs'),
      `import { openStore } from '@jwkit/server';
       const store = await openStore('sqlite:./keys.db');
       console.log(store.kind);
       await store.close();
       try { await openStore('postgres://127.0.0.1:1/none'); } catch (e) { console.log(e.code, e.message); }`,
    );
    const out = execFileSync(process.execPath, ['open.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(out).toContain('sqlite');
    expect(out).toMatch(/ERR_STORE_DRIVER_MISSING .*npm install pg/);
  });

  it('without the optional pkcs11js: a pkcs11: URI names the package, and the types still check (skipLibCheck off)', () => {
    expect(installed(dir)).not.toContain('pkcs11js');
    writeFileSync(
      join(dir, 'token.mjs'),
      `import { openToken } from '@jwkit/server';
       try { await openToken('pkcs11:token=jwkit?module-path=/nonexistent.so&pin-value=1234'); }
       catch (e) { console.log(e.code, e.message); }`,
    );
    const out = execFileSync(process.execPath, ['token.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(out).toMatch(/ERR_PKCS11_DRIVER_MISSING .*npm install pkcs11js/);
    const sub = join(dir, 'ts');
    mkdirSync(sub, { recursive: true });
    writeFileSync(
      join(sub, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
        },
        files: ['main.ts'],
      }),
    );
    writeFileSync(join(sub, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(
      join(sub, 'main.ts'),
      `import { type KeyCustody, openStore, openToken, serve } from '@jwkit/server';
       export const uses = [openStore, openToken, serve];
       export type Custody = KeyCustody;`,
    );
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', sub], { cwd: sub, encoding: 'utf8' });
    } catch (err) {
      throw new Error(`tsc failed:\n${(err as { stdout: string }).stdout}`);
    }
  });
});

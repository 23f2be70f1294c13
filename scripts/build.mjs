// Builds every package's dist/, in dependency order:
//   packages/jwkit   the library: tsc, one .js + .d.ts per module (tree-shakable, no bundle)
//   packages/server  @jwkit/server: tsc, imports `jwkit` by name
//   packages/web     the browser app (esbuild), copied into the server's and the CLI's dist/web
//   packages/cli     @jwkit/cli: one bundled, self-contained file with lazy chunks (fast start,
//                    nothing to install but itself; pg and pkcs11js stay optional peers)
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const tsc = (project) =>
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });

for (const pkg of ['jwkit', 'server', 'cli', 'web'])
  rmSync(`packages/${pkg}/dist`, { recursive: true, force: true });

tsc('packages/jwkit/tsconfig.build.json');
tsc('packages/server/tsconfig.build.json');

execFileSync(process.execPath, ['packages/web/build.mjs', '--outdir', 'packages/web/dist'], {
  stdio: 'inherit',
});
for (const pkg of ['server', 'cli'])
  cpSync('packages/web/dist', `packages/${pkg}/dist/web`, { recursive: true });

await build({
  entryPoints: { cli: 'packages/cli/src/main.ts' },
  outdir: 'packages/cli/dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  // The CLI carries the library and the server inside its bundle (sources, so one copy of each
  // module); drivers the user chooses stay outside.
  alias: {
    jwkit: './packages/jwkit/src/index.node.ts',
    'jwkit/internal': './packages/jwkit/src/internal.ts',
    '@jwkit/server': './packages/server/src/index.ts',
    '@jwkit/server/config': './packages/server/src/config-table.ts',
  },
  external: ['pg', 'pg-native', 'pkcs11js'],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __jwkitCreateRequire } from 'node:module'; const require = __jwkitCreateRequire(import.meta.url);",
  },
});

// Builds dist/: the isomorphic library, its Node flavour, the server and the one-file CLI.
// Type declarations come from tsc (tsconfig.build.json).
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
// Native or heavy server-side packages stay external; they are runtime dependencies.
const serverExternal = ['better-sqlite3', 'pg', 'pg-native'];
const nodeBanner = {
  js: "import { createRequire as __jwkitCreateRequire } from 'node:module'; const require = __jwkitCreateRequire(import.meta.url);",
};

await build({
  ...common,
  entryPoints: { index: 'src/index.ts' },
  outdir: 'dist',
  platform: 'neutral',
  mainFields: ['module', 'main'],
});
await build({
  ...common,
  entryPoints: { 'index.node': 'src/index.node.ts' },
  outdir: 'dist',
  platform: 'node',
});
if (existsSync('src/server/index.ts')) {
  await build({
    ...common,
    entryPoints: { server: 'src/server/index.ts' },
    outdir: 'dist',
    platform: 'node',
    external: serverExternal,
    banner: nodeBanner,
  });
}
if (existsSync('src/cli/main.ts')) {
  await build({
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    external: serverExternal,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: `#!/usr/bin/env node\n${nodeBanner.js}` },
  });
}
if (existsSync('web/build.mjs')) execFileSync(process.execPath, ['web/build.mjs'], { stdio: 'inherit' });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});

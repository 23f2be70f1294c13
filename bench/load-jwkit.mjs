// Loads jwkit for a benchmark the way the package ships it: packages/jwkit/src/index.node.ts bundled by esbuild
// (not the TypeScript sources through a loader), into a temp dir removed after import.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export async function loadJwkit() {
  const dir = mkdtempSync(join(tmpdir(), 'jwkit-bench-'));
  try {
    const bundle = join(dir, 'jwkit.mjs');
    await build({
      entryPoints: ['packages/jwkit/src/index.node.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'warning',
      external: ['pg', 'pg-native'],
    });
    return await import(pathToFileURL(bundle).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The workspace packages by name, mapped to their TypeScript sources: what tests give esbuild when
 * they bundle a script that imports `jwkit`, `jwkit/internal` or `@jwkit/server` (vitest.config.ts
 * and tsconfig.json map the same names).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const PACKAGE_SOURCES: Readonly<Record<string, string>> = {
  jwkit: join(REPO_ROOT, 'packages', 'jwkit', 'src', 'index.node.ts'),
  'jwkit/internal': join(REPO_ROOT, 'packages', 'jwkit', 'src', 'internal.ts'),
  '@jwkit/server': join(REPO_ROOT, 'packages', 'server', 'src', 'index.ts'),
  '@jwkit/server/config': join(REPO_ROOT, 'packages', 'server', 'src', 'config-table.ts'),
};

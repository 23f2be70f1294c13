import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // The packages import each other by name; tests run the TypeScript sources, no build needed.
    alias: [
      { find: /^jwkit$/, replacement: at('./packages/jwkit/src/index.node.ts') },
      { find: /^jwkit\/internal$/, replacement: at('./packages/jwkit/src/internal.ts') },
      { find: /^@jwkit\/server$/, replacement: at('./packages/server/src/index.ts') },
      { find: /^@jwkit\/server\/config$/, replacement: at('./packages/server/src/config-table.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Server, PostgreSQL and browser tests share real resources; files run in parallel but
    // each file is isolated (own temp dir, own database schema, own port).
    pool: 'forks',
  },
});

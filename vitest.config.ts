import { defineConfig } from 'vitest/config';
import { PACKAGE_SOURCES } from './test/helpers/packages.js';

const exactly = (name: string) => name.replace(/[/.]/g, '\\$&');

export default defineConfig({
  resolve: {
    // The packages import each other by name; tests run the TypeScript sources, no build needed.
    // Exact names only, so `jwkit` does not also capture `jwkit/internal`.
    alias: Object.entries(PACKAGE_SOURCES).map(([name, source]) => ({
      find: new RegExp(`^${exactly(name)}$`),
      replacement: source,
    })),
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

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Server, PostgreSQL and browser tests share real resources; files run in parallel but
    // each file is isolated (own temp dir, own database schema, own port).
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Same graphql module as Node loads (see apps/api/vitest.config.ts).
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['integration/**/*.test.ts'],
    globalSetup: ['./support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: the files train models and run servers; one at a time keeps them fair.
    fileParallelism: false,
  },
});

import { defineConfig } from 'vitest/config';

// Checks of the repository itself (no database, no servers): part of `npm test`'s unit phase.
export default defineConfig({
  test: { include: ['repo/**/*.test.ts'] },
});

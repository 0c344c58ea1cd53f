import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Real training runs in these tests; under turbo the other packages' tasks share the two
  // cores, so the default 5 s per test is too tight. This is a hang guard, not a speed check.
  test: { testTimeout: 120_000, hookTimeout: 120_000 },
});

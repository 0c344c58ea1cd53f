import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The tests import the trainer's error classes, and with them TensorFlow.js; under turbo the
  // other packages' tasks share the two cores, so the default 5 s per test is too tight. This is
  // a hang guard, not a speed check.
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});

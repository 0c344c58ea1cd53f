import { defineConfig } from 'vitest/config';

// Some tests search thousands of neighbours or run property checks; under turbo they share the
// two cores with other packages' tests, so the default 5 s per test is too tight. This is a hang
// guard, not a speed check (speed is measured by `npm run bench`).
export default defineConfig({ test: { testTimeout: 60_000 } });

import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node-side checks of the web app's own files; the pages are tested in a browser (test/).
  test: { include: ['**/*.test.ts'], exclude: ['node_modules/**', '.next/**'] },
});

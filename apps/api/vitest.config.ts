import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node loads graphql's CommonJS build (graphql 16 has no `exports` map) for type-graphql and
  // Apollo; Vite would pick the .mjs build for our own imports. Two copies break `instanceof`,
  // so point Vite at the same file Node uses.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
});

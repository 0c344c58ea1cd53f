#!/usr/bin/env node
// The CLI is TypeScript run through tsx, like every workspace here (no separate build step).
// The tsconfig is named so that decorators (type-graphql) compile from any working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// graphql-js's development build checks every instanceof for duplicate modules, which doubles
// the API's per-field execution time. Set before main.ts (and with it graphql) is imported; the
// static imports above load neither. A NODE_ENV already set (vitest sets test) is kept.
process.env.NODE_ENV ??= 'production';
register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
await import('../src/main.ts');

#!/usr/bin/env node
// The CLI is TypeScript run through tsx, like every workspace here (no separate build step).
// The tsconfig is named so that decorators (type-graphql) compile from any working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
await import('../src/cli/main.ts');

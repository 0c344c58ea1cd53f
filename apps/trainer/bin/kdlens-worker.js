#!/usr/bin/env node
// A worker process: trains queued study units until Ctrl-C or SIGTERM (what `kdlens worker`
// does). TypeScript run through tsx, like the CLI; the root tsconfig is named so that the same
// compiler options apply from any working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The environment the CLI's processes run in (apps/cli/bin/kdlens.js); a NODE_ENV already set is
// kept.
process.env.NODE_ENV ??= 'production';
register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
await import('../src/worker/main.ts');

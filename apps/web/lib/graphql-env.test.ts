import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const committed = fileURLToPath(new URL('./graphql-env.d.ts', import.meta.url));
const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
// The gql.tada CLI, run by this Node: no npx, no network.
const cli = createRequire(import.meta.url).resolve('gql.tada/cli');

// tsc types every document with the committed file, so it must be what schema.graphql gives today.
it('lib/graphql-env.d.ts matches apps/api/schema.graphql (run `npm run graphql:generate -w @kdlens/web`)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kdlens-graphql-env-'));
  try {
    const fresh = join(dir, 'graphql-env.d.ts');
    await promisify(execFile)(process.execPath, [
      cli,
      'generate',
      'output',
      '--tsconfig',
      tsconfig,
      '--output',
      fresh,
    ]);
    expect(await readFile(committed, 'utf8')).toBe(await readFile(fresh, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // A Node process that loads the schema: seconds while turbo type-checks the other workspaces.
}, 60_000);

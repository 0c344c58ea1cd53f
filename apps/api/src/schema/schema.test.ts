import { readFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { buildApiSchema } from './build-schema.ts';

it('the committed schema.graphql matches the code (run `npm run schema:emit -w @kdlens/api`)', async () => {
  const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
  expect(committed).toBe(`${printSchema(await buildApiSchema())}\n`);
});

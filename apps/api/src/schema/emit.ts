// Writes apps/api/schema.graphql, committed so that schema changes show in review.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { buildApiSchema } from './build-schema.ts';

const target = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
await writeFile(target, `${printSchema(await buildApiSchema())}\n`);
console.log(`wrote ${target}`);

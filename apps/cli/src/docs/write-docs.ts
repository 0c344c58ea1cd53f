/**
 * `npm run docs:generate`: rewrites the docs pages generated from the code (generated-pages.ts).
 * test/repo/generated-docs.test.ts fails while a committed page differs from what this writes.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generatedPages } from './generated-pages.ts';

const root = new URL('../../../../', import.meta.url);
for (const page of generatedPages) {
  await writeFile(fileURLToPath(new URL(page.path, root)), page.render());
  process.stderr.write(`wrote ${page.path}\n`);
}

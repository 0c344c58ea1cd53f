/**
 * The docs pages generated from the code (the CLI's help, the env schema, the spec schema) are
 * committed; this fails while one differs from what `npm run docs:generate` writes now, naming
 * the page and the command that fixes it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedPages, regenerateCommand } from '@kdlens/cli/docs';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('generated docs pages are up to date', () => {
  for (const page of generatedPages) {
    it(page.path, () => {
      let committed: string;
      try {
        committed = readFileSync(path.join(root, page.path), 'utf8');
      } catch {
        throw new Error(`${page.path} is missing: run \`${regenerateCommand}\` and commit it`);
      }
      const fresh = page.render();
      if (committed !== fresh) {
        const committedLines = committed.split('\n');
        const freshLines = fresh.split('\n');
        const line = freshLines.findIndex((text, i) => text !== committedLines[i]);
        throw new Error(
          `${page.path} is out of date (first difference at line ${line + 1}): run \`${regenerateCommand}\` and commit it`,
        );
      }
      expect(committed).toBe(fresh);
    });
  }
});

/**
 * The import boundaries in biome.json, probed: each case is a one-line file at a path inside a
 * copy of the repository's layout, linted with the repository's own biome.json. Overrides replace
 * one another's rule options in order, so a rule can silently stop applying; this catches that.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** [file, import specifier, refused?] */
const cases: [string, string, boolean][] = [
  ['apps/web/app/probe.tsx', '@kdlens/core/db', true],
  ['apps/web/app/probe.tsx', 'node:fs', true],
  ['apps/web/app/probe.tsx', '@kdlens/core/csv-cell', false],
  ['apps/api/src/probe.ts', '@kdlens/trainer', true],
  ['apps/api/src/probe.ts', '@kdlens/cli', true],
  ['apps/api/src/probe.ts', '@kdlens/core/db', false],
  ['apps/trainer/src/engine/probe.ts', '@kdlens/api', true],
  ['apps/trainer/src/engine/probe.ts', '@kdlens/web', true],
  ['apps/trainer/src/engine/probe.ts', '@kdlens/cli', true],
  ['apps/trainer/src/engine/probe.ts', '@tensorflow/tfjs', false],
  ['apps/trainer/src/datasets/probe.ts', '@tensorflow/tfjs', true],
  ['apps/trainer/src/datasets/probe.ts', '../engine/index.ts', true],
  ['apps/trainer/src/datasets/probe.ts', '@kdlens/api', true],
  ['apps/trainer/src/datasets/probe.ts', './augment.ts', false],
  ['apps/trainer/src/random/probe.ts', 'zod', true],
  ['apps/trainer/src/random/probe.ts', '@kdlens/metrics', false],
  ['packages/core/src/probe.ts', '@kdlens/cli', true],
  ['packages/core/src/probe.ts', '@kdlens/api', true],
  ['packages/core/src/probe.ts', '@kdlens/metrics', false],
  ['packages/core/src/db/probe.ts', '@kdlens/metrics', true],
  ['packages/core/src/db/probe.ts', '@kdlens/cli', true],
  ['packages/core/src/db/probe.ts', '../results/index.ts', true],
  ['packages/metrics/src/probe.ts', '@kdlens/core', true],
  ['packages/metrics/src/probe.ts', 'zod', true],
];

let refused = new Map<string, number>();
let scratch = '';

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'kdlens-import-rules-'));
  copyFileSync(path.join(root, 'biome.json'), path.join(scratch, 'biome.json'));
  const files: string[] = [];
  cases.forEach(([file, specifier], i) => {
    const probe = file.replace(/probe\.(tsx?)$/, `probe${i}.$1`);
    mkdirSync(path.join(scratch, path.dirname(probe)), { recursive: true });
    writeFileSync(
      path.join(scratch, probe),
      `import { a } from '${specifier}';\nexport const b = a;\n`,
    );
    files.push(probe);
  });
  let out: string;
  try {
    out = execFileSync(
      path.join(root, 'node_modules/.bin/biome'),
      ['lint', '--vcs-enabled=false', '--reporter=json', ...files],
      {
        cwd: scratch,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
  } catch (error) {
    // Biome exits 1 when it finds errors; the report is still on stdout.
    out = (error as { stdout: string }).stdout;
  }
  const report = JSON.parse(out) as {
    summary: { errors: number; unchanged: number };
    diagnostics: { category: string; location: { path: string } }[];
  };
  refused = new Map();
  for (const d of report.diagnostics) {
    if (d.category !== 'lint/style/noRestrictedImports') continue;
    refused.set(d.location.path, (refused.get(d.location.path) ?? 0) + 1);
  }
  // Every probe was linted: a path outside biome.json's files would otherwise pass silently.
  expect(report.summary.errors + report.summary.unchanged).toBeGreaterThanOrEqual(cases.length);
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('biome.json import boundaries', () => {
  cases.forEach(([file, specifier, isRefused], i) => {
    const probe = file.replace(/probe\.(tsx?)$/, `probe${i}.$1`);
    it(`${path.dirname(file)} ${isRefused ? 'may not' : 'may'} import ${specifier}`, () => {
      expect(refused.has(probe)).toBe(isRefused);
    });
  });
});

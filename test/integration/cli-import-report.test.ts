import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { countRows, findExperimentByName } from '@kdlens/core/db';
import { getStudySummary } from '@kdlens/core/results';
import { type StudyRun, summarizeStudy } from '@kdlens/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// A 4-class study of 80 test examples with a binary sensitive attribute: teacher, NDS and KD at
// T = 2 and 4, two seeds each. Predictions follow a fixed rule so the expected numbers can be
// computed here with @kdlens/metrics on exactly the arrays written to the files.
const N = 80;
const C = 4;
const labels = Array.from({ length: N }, (_, i) => i % C);
const group = Array.from({ length: N }, (_, i) => (i % 5 < 2 ? 'f' : 'm'));
const arms = [
  { role: 'teacher', temperature: null, errEvery: 9 },
  { role: 'student', temperature: null, errEvery: 4 },
  { role: 'distilled', temperature: 2, errEvery: 6 },
  { role: 'distilled', temperature: 4, errEvery: 7 },
] as const;
const seeds = [0, 1];

function predictions(errEvery: number, seed: number): number[] {
  return labels.map((y, i) => ((i + seed * 3) % errEvery === 0 ? (y + 1 + (i % 2)) % C : y));
}

function csvFor(arm: (typeof arms)[number], seed: number): string {
  const pred = predictions(arm.errEvery, seed);
  const header = [`# role: ${arm.role}`, `# seed: ${seed}`, '# architecture: resnet20'];
  if (arm.temperature !== null) header.push(`# temperature: ${arm.temperature}`);
  header.push('# classes: airplane, bird, cat, dog');
  const rows = labels.map((y, i) => `ex${i},${y},${pred[i]},${group[i]}`);
  return [...header, 'id,label,pred,attr_sex', ...rows, ''].join('\n');
}

let db: TestDatabase;
let dir: string;
let files: string[];
const env = () => ({ DATABASE_URL: db.url });

beforeAll(async () => {
  db = await createTestDatabase('import');
  dir = await mkdtemp(path.join(tmpdir(), 'kdlens-import-cli-'));
  files = [];
  for (const arm of arms) {
    for (const seed of seeds) {
      const name = path.join(dir, `${arm.role}-${arm.temperature ?? 'x'}-s${seed}.csv`);
      await writeFile(name, csvFor(arm, seed));
      files.push(name);
    }
  }
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kdlens import and report', () => {
  it('refuses a bad file with file:line:column and writes nothing', async () => {
    const bad = path.join(dir, 'bad.csv');
    await writeFile(bad, csvFor(arms[1], 5).replace('\nex3,3,', '\nex3,three,'));
    const before = await countRows(db.warehouse.db);
    const result = await runCli(['import', '--experiment', 'imp', ...files, bad], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing was written');
    // Line 9: four header lines, the column row, then ex0..ex3.
    expect(result.stderr).toContain(`${bad}:9:5: label 'three' is not a class index`);
    expect(await countRows(db.warehouse.db)).toEqual(before);
  });

  it('imports good files in one go; the stored summary equals @kdlens/metrics on the same arrays', async () => {
    const result = await runCli(
      ['import', '--experiment', 'imp', '--dataset', 'toy', ...files],
      env(),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^imp \(created\): 8 runs, 80 test examples, 4 classes/);

    const runs: StudyRun[] = arms.flatMap((arm) =>
      seeds.map((seed) => ({
        role: arm.role,
        temperature: arm.temperature,
        seed,
        yPred: predictions(arm.errEvery, seed),
      })),
    );
    const expected = summarizeStudy({
      numClasses: C,
      yTrue: labels,
      runs,
      sensitive: { sex: group },
    });
    const experiment = await findExperimentByName(db.warehouse.db, 'imp');
    const stored = await getStudySummary(db.warehouse.db, experiment?.id ?? '');
    expect(stored?.stale).toBe(false);
    const summary = stored?.summary;
    expect(summary?.arms.map((a) => a.accuracy.mean)).toEqual(
      expected.arms.map((a) => a.accuracy.mean),
    );
    expect(summary?.significance).toEqual(expected.significance);
    expect(summary?.groupFairness[0]?.arms.map((a) => a.dpd.mean)).toEqual(
      expected.groupFairness[0]?.arms.map((a) => a.dpd.mean),
    );
    expect(await countRows(db.warehouse.db)).toEqual({ experiments: 1, runs: 8 });
  });

  it('importing the same files again replaces, never duplicates', async () => {
    const result = await runCli(['import', '--experiment', 'imp', ...files], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^imp \(updated\): 8 runs/);
    expect(await countRows(db.warehouse.db)).toEqual({ experiments: 1, runs: 8 });
  });

  it('refuses a different test set for an experiment that has predictions, atomically', async () => {
    const other = path.join(dir, 'other.csv');
    await writeFile(other, csvFor(arms[0], 7).replace('\nex0,0,', '\nex0,1,'));
    const result = await runCli(['import', '--experiment', 'imp', other], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/different test set/);
    expect(await countRows(db.warehouse.db)).toEqual({ experiments: 1, runs: 8 });
  });

  it('reports the paper tables as Markdown and JSON', async () => {
    const md = await runCli(['report', 'imp', '--format', 'markdown'], env());
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^imp — toy, 80 test examples, 4 classes/);
    expect(md.stdout).toContain('| arm | seeds | accuracy |');
    expect(md.stdout).toMatch(/\| KD T=4 \| 2 \| \d+\.\d\d ± \d+\.\d\d/);
    expect(md.stdout).toContain("### Group fairness for 'sex'");

    const json = await runCli(['report', 'imp', '--format', 'json'], env());
    const tables = JSON.parse(json.stdout) as { rows: Record<string, unknown>[] }[];
    expect(tables[0]?.rows.map((r) => r.arm)).toEqual(['Teacher', 'NDS', 'KD T=2', 'KD T=4']);

    const bad = await runCli(['report', 'imp', '--format', 'xml'], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--format must be one of table, markdown, csv, json/);
    const missing = await runCli(['report', 'nope'], env());
    expect(missing.stderr).toMatch(/no experiment is named or has the id 'nope'/);
  });

  it('report and cancel find an experiment by id or by name with one rule', async () => {
    const experiment = await findExperimentByName(db.warehouse.db, 'imp');
    const byName = await runCli(['report', 'imp', '--format', 'json'], env());
    const byId = await runCli(['report', experiment?.id ?? '', '--format', 'json'], env());
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(byName.stdout);
    // Neither an experiment nor a run: the id is looked up as both, then refused.
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cancel = await runCli(['cancel', unknown], env());
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain(
      `no experiment named "${unknown}" and no experiment or run with that id`,
    );
  });
});

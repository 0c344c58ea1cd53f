/**
 * docs/importing.md's PyTorch `export_predictions`, run as written: a tiny model per arm and seed
 * writes its CSV through a DataLoader, `kdlens import` reads the files, and the stored summary
 * equals @kdlens/metrics on the predictions the models make (computed in Python on the whole
 * tensor, apart from the files). Needs /usr/bin/python3 with torch (apt-get install
 * python3-torch); without it the test is skipped with a message, under CI as well, since
 * .ci/run does not install torch: python3-torch with libtorch and its other dependencies is about
 * 340 MB installed, for one snippet.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findExperimentByName } from '@kdlens/core/db';
import { getStudySummary } from '@kdlens/core/results';
import { type StudyRun, summarizeStudy } from '@kdlens/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const python = '/usr/bin/python3';
const execFileAsync = promisify(execFile);

/** The Python code block under "## From PyTorch" in docs/importing.md. */
async function exportSnippet(): Promise<string> {
  const page = await readFile(path.join(repo, 'docs/importing.md'), 'utf8');
  const section = page.slice(page.indexOf('\n## From PyTorch\n'));
  const block = /^```python\n([\s\S]*?)^```$/m.exec(section);
  if (block === null)
    throw new Error('docs/importing.md has no python block under "## From PyTorch"');
  return block[1] as string;
}

// 120 test examples of 3 classes with two sensitive attributes, one given as strings and one as
// integers (the default collate makes a tensor of those); every group has at least 40 examples,
// above the 30 below which a group is left out of DPD and EOD.
const driver = `
import json, sys
torch.manual_seed(0)
n, features, classes = 120, 5, 3
x = torch.randn(n, features)
y = torch.arange(n) % classes
sex = ["female" if i % 3 else "male" for i in range(n)]


class TestSet(torch.utils.data.Dataset):
    def __len__(self):
        return n

    def __getitem__(self, i):
        return x[i], y[i], {"sex": sex[i], "age": i % 2}


loader = torch.utils.data.DataLoader(TestSet(), batch_size=16, shuffle=False)
predictions = []
for role, temperature in [("teacher", None), ("student", None), ("distilled", 2), ("distilled", 4)]:
    for seed in (0, 1):
        torch.manual_seed(100 * seed + (temperature or 0) + len(role))
        model = torch.nn.Linear(features, classes)
        name = f"{role}-{temperature}-s{seed}.csv"
        export_predictions(model, loader, f"{sys.argv[1]}/{name}", role=role, seed=seed,
                           temperature=temperature, architecture="linear", classes=["circle", "square", "star"])
        with torch.no_grad():
            predictions.append({"role": role, "temperature": temperature, "seed": seed,
                                "pred": model(x).argmax(dim=1).tolist()})
print(json.dumps({"labels": y.tolist(), "sex": sex, "age": [str(i % 2) for i in range(n)], "runs": predictions}))
`;

interface PythonOutput {
  labels: number[];
  sex: string[];
  age: string[];
  runs: { role: StudyRun['role']; temperature: number | null; seed: number; pred: number[] }[];
}

let torchMissing: string | null = null;
let db: TestDatabase | undefined;
let dir = '';

beforeAll(async () => {
  if (!existsSync(python)) torchMissing = `${python} is missing`;
  else {
    try {
      await execFileAsync(python, ['-c', 'import torch']);
    } catch {
      torchMissing = `${python} cannot import torch (apt-get install python3-torch)`;
    }
  }
  if (torchMissing !== null) return;
  db = await createTestDatabase('pytorch');
  dir = await mkdtemp(path.join(tmpdir(), 'kdlens-pytorch-'));
});

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("docs/importing.md's PyTorch export", () => {
  it('writes files that kdlens import reads, with the numbers the models give', async () => {
    if (torchMissing !== null) {
      console.log(`skipped: the PyTorch export cannot be tested here: ${torchMissing}`);
      return;
    }
    const code = `${await exportSnippet()}\n${driver}`;
    const { stdout } = await execFileAsync(python, ['-c', code, dir], { timeout: 120_000 });
    const out = JSON.parse(stdout) as PythonOutput;
    const files = (await readdir(dir)).sort().map((f) => path.join(dir, f));
    expect(files).toHaveLength(8);
    const first = await readFile(path.join(dir, 'distilled-4-s1.csv'), 'utf8');
    expect(first.split('\n').slice(0, 6)).toEqual([
      '# role: distilled',
      '# seed: 1',
      '# temperature: 4',
      '# architecture: linear',
      '# classes: circle, square, star',
      'id,label,pred,prob_0,prob_1,prob_2,attr_sex,attr_age',
    ]);

    const result = await runCli(
      ['import', '--experiment', 'torch-kd', '--dataset', 'toy', ...files],
      { DATABASE_URL: (db as TestDatabase).url },
      120_000,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^torch-kd \(created\): 8 runs, 120 test examples, 3 classes/);

    const runs: StudyRun[] = out.runs.map((r) => ({
      role: r.role,
      temperature: r.temperature,
      seed: r.seed,
      yPred: r.pred,
    }));
    const expected = summarizeStudy({
      numClasses: 3,
      yTrue: out.labels,
      runs,
      // The warehouse keeps attributes in name order.
      sensitive: { age: out.age, sex: out.sex },
    });
    const warehouse = (db as TestDatabase).warehouse.db;
    const experiment = await findExperimentByName(warehouse, 'torch-kd');
    const stored = (await getStudySummary(warehouse, experiment?.id ?? ''))?.summary;
    expect(stored?.arms.map((a) => a.accuracy.mean)).toEqual(
      expected.arms.map((a) => a.accuracy.mean),
    );
    expect(stored?.significance).toEqual(expected.significance);
    expect(stored?.groupFairness.map((g) => g.attribute)).toEqual(['age', 'sex']);
    expect(stored?.groupFairness.map((g) => g.arms.map((a) => a.dpd.mean))).toEqual(
      expected.groupFairness.map((g) => g.arms.map((a) => a.dpd.mean)),
    );
    // The probabilities were imported too: the predictions export carries them, for every run.
    const exported = await runCli(['export', 'torch-kd', '--table', 'predictions'], {
      DATABASE_URL: (db as TestDatabase).url,
    });
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n');
    expect(lines[0]).toContain('prob_0,prob_1,prob_2,attr_age,attr_sex');
    expect(lines).toHaveLength(1 + 8 * 120);
  });
});

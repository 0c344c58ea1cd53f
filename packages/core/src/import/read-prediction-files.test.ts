import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError, type ImportProblem } from './import-error.ts';
import { readPredictionFiles } from './read-prediction-files.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kdlens-import-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

async function problemsOf(files: string[], flags = {}): Promise<ImportProblem[]> {
  const error = await readPredictionFiles(files, flags).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportError);
  return (error as ImportError).problems.map((p) => ({
    ...p,
    file: path.basename(p.file),
    message: p.message.replaceAll(`${dir}${path.sep}`, ''),
  }));
}

const teacherCsv = [
  '# role: teacher',
  '# seed: 0',
  '# architecture: resnet56',
  '# classes: cat, dog, bird',
  'id,label,pred,prob_0,prob_1,prob_2,attr_Male',
  'a,0,0,0.7,0.2,0.1,1',
  '"b, the second",1,2,0.1,0.3,0.6,0',
  'c,2,2,0,0,1,1',
  '',
].join('\n');

describe('readPredictionFiles', () => {
  it('reads a CSV with header metadata, probabilities and an attribute', async () => {
    const study = await readPredictionFiles([await file('teacher.csv', teacherCsv)]);
    expect(study.testSet).toEqual({
      ids: ['a', 'b, the second', 'c'],
      labels: Int32Array.from([0, 1, 2]),
      numClasses: 3,
      classNames: ['cat', 'dog', 'bird'],
      sensitive: { Male: ['1', '0', '1'] },
    });
    const [run] = study.runs;
    expect(run?.role).toBe('teacher');
    expect(run?.temperature).toBeNull();
    expect(run?.seed).toBe(0);
    expect(run?.architecture).toBe('resnet56');
    expect(Array.from(run?.predicted ?? [])).toEqual([0, 2, 2]);
    expect(Array.from(run?.probs ?? []).map((p) => Number(p.toFixed(4)))).toEqual([
      0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0, 0, 1,
    ]);
  });

  it('aligns a JSON Lines run given in another order to the first file', async () => {
    const jsonl = [
      '{"run": {"role": "distilled", "temperature": 4, "seed": 0}}',
      '{"id": "c", "label": 2, "pred": 1, "probs": [0.1, 0.8, 0.1], "attrs": {"Male": 1}}',
      '{"id": "a", "label": 0, "pred": 0, "probs": [1, 0, 0], "attrs": {"Male": 1}}',
      '{"id": "b, the second", "label": 1, "pred": 1, "probs": [0, 1, 0], "attrs": {"Male": 0}}',
    ].join('\n');
    const study = await readPredictionFiles([
      await file('t.csv', teacherCsv),
      await file('d4.jsonl', jsonl),
    ]);
    const distilled = study.runs[1];
    expect(distilled?.role).toBe('distilled');
    expect(distilled?.temperature).toBe(4);
    expect(Array.from(distilled?.predicted ?? [])).toEqual([0, 1, 1]);
    expect(Array.from(distilled?.probs ?? []).slice(6)).toEqual([
      Math.fround(0.1),
      Math.fround(0.8),
      Math.fround(0.1),
    ]);
  });

  it('takes run metadata from flags when the file has no header', async () => {
    const f = await file('nds.csv', 'id,label,pred\nx,1,0\ny,0,0\n');
    const study = await readPredictionFiles([f], { role: 'student', seed: '2' });
    expect(study.runs[0]).toMatchObject({ role: 'student', seed: 2, probs: null });
    expect(study.testSet.numClasses).toBe(2);
    expect(study.testSet.classNames).toEqual(['0', '1']);
  });

  it('names file, line and column of every bad value', async () => {
    const f = await file(
      'bad.csv',
      '# role: teacher\n# seed: 0\nid,label,pred,prob_0,prob_1\na,0,1,0.5,0.5\nb,x,1,0.5,0.5\nc,1,1,1.5,0\nd,1\n',
    );
    expect(await problemsOf([f])).toEqual([
      {
        file: 'bad.csv',
        line: 5,
        column: 3,
        message: "label 'x' is not a class index (0, 1, 2, …)",
      },
      {
        file: 'bad.csv',
        line: 6,
        column: 7,
        message: "probability '1.5' is not a number in [0, 1]",
      },
      { file: 'bad.csv', line: 7, message: '2 fields, but the header has 5' },
    ]);
  });

  it('reports a missing column, an unknown column and CSV syntax', async () => {
    const noPred = await file('nopred.csv', '# role: teacher\n# seed: 0\nid,label,score\na,0,1\n');
    expect(await problemsOf([noPred])).toEqual([
      {
        file: 'nopred.csv',
        line: 3,
        column: 1,
        message: "the header row lacks the column 'pred' or 'prediction' or 'y_pred'",
      },
    ]);
    const unclosed = await file('quote.csv', 'id,label,pred\n"a,0,0\nb,1,1\n');
    expect(await problemsOf([unclosed])).toEqual([
      { file: 'quote.csv', line: 2, column: 1, message: 'a quoted field is never closed' },
    ]);
  });

  it('reports JSON syntax and schema errors with columns', async () => {
    const f = await file(
      'bad.jsonl',
      '{"run": {"role": "teacher", "seed": 1}}\n{"id": "a", "label": 0, "pred": -1}\n{"id": "b", "label": 0,, "pred": 0}\n',
    );
    const problems = await problemsOf([f]);
    expect(problems[0]).toEqual({
      file: 'bad.jsonl',
      line: 2,
      column: 25,
      message: 'pred: Too small: expected number to be >=0',
    });
    expect(problems[1]).toMatchObject({ file: 'bad.jsonl', line: 3, column: 24 });
    expect(problems[1]?.message).toMatch(/^not valid JSON/);
  });

  it('rejects inconsistent files as a whole', async () => {
    const a = await file('a.csv', '# role: teacher\n# seed: 0\nid,label,pred\nu,0,0\nv,1,1\n');
    const again = await file('a2.csv', '# role: teacher\n# seed: 0\nid,label,pred\nu,0,0\nv,1,1\n');
    const relabelled = await file(
      'b.csv',
      '# role: student\n# seed: 0\nid,label,pred\nu,1,0\nw,1,1\n',
    );
    const noT = await file('c.csv', '# role: distilled\n# seed: 0\nid,label,pred\nu,0,0\nv,1,1\n');
    expect(await problemsOf([a, again, relabelled, noT])).toEqual([
      {
        file: 'c.csv',
        line: 1,
        message:
          "temperature: a distilled run needs a temperature (give it in the file's header or as --temperature)",
      },
      { file: 'a2.csv', message: 'teacher seed 0 is also in a.csv; one file per run' },
      { file: 'b.csv', line: 4, message: "label 1 of 'u' differs from the first file's 0" },
      { file: 'b.csv', line: 5, message: "example id 'w' is not in the test set (first file)" },
    ]);
  });

  it('refuses a flag that contradicts the header, and unknown file types', async () => {
    const f = await file('t1.csv', '# role: teacher\n# seed: 1\nid,label,pred\nu,0,0\n');
    expect(await problemsOf([f], { seed: 2 })).toEqual([
      { file: 't1.csv', line: 1, message: "seed is '1' in the file but '2' on the command line" },
    ]);
    const txt = await file('preds.txt', 'x');
    expect(await problemsOf([txt])).toEqual([
      { file: 'preds.txt', message: 'unknown file type; expected .csv, .jsonl, .ndjson' },
    ]);
  });

  it('checks that probabilities sum to one', async () => {
    const f = await file(
      'sum.csv',
      '# role: teacher\n# seed: 0\nid,label,pred,prob_0,prob_1\nu,0,0,0.5,0.4\n',
    );
    expect(await problemsOf([f])).toEqual([
      {
        file: 'sum.csv',
        line: 4,
        message: 'probabilities sum to 0.900000, not 1 (softmax outputs expected)',
      },
    ]);
  });
});

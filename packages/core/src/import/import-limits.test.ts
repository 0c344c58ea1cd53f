import { describe, expect, it } from 'vitest';
import { ImportError, type ImportProblem } from './import-error.ts';
import { importLimits, shown } from './import-limits.ts';
import { readPredictionTexts } from './read-prediction-files.ts';

const teacher = { role: 'teacher', seed: 0 };

async function problemsOf(files: { name: string; content: string }[]): Promise<ImportProblem[]> {
  const error = await readPredictionTexts(files, teacher).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportError);
  return [...(error as ImportError).problems];
}

describe('import limits', () => {
  it('a huge pred is a problem at its cell, never a 1,000,001-class study', async () => {
    // 'a,0,' is 4 characters, so pred starts in column 5 of line 2.
    expect(await problemsOf([{ name: 'a.csv', content: 'id,label,pred\na,0,1000000' }])).toEqual([
      {
        file: 'a.csv',
        line: 2,
        column: 5,
        message:
          'pred 1000000 is beyond the largest class index an import takes (99999; at most 100000 classes)',
      },
    ]);
    for (const bad of ['5e9', '1e400', '-1', '1.5']) {
      const [p] = await problemsOf([{ name: 'b.csv', content: `id,label,pred\na,${bad},0` }]);
      expect(p).toEqual({
        file: 'b.csv',
        line: 2,
        column: 3,
        message: `label '${bad}' is not a class index (0, 1, 2, …)`,
      });
    }
  });

  it('derives at most 1,000 classes from label/pred; a class list allows more', async () => {
    const wide = 'id,label,pred\na,0,0\nb,1,1000\nc,2,5\n';
    expect(await problemsOf([{ name: 'w.csv', content: wide }])).toEqual([
      {
        file: 'w.csv',
        line: 3,
        column: 5,
        message:
          "pred 1000 would make 1001 classes; without a class list at most 1000 are taken from label/pred: give the classes (CSV '# classes: a,b,…', JSON Lines run.classes), up to 100000",
      },
    ]);
    const names = Array.from({ length: 1001 }, (_, k) => `c${k}`).join(',');
    const study = await readPredictionTexts(
      [{ name: 'w.csv', content: `# classes: ${names}\n${wide}` }],
      teacher,
    );
    expect(study.testSet.numClasses).toBe(1001);
    // 999 is the largest index derivable without a list: 1,000 classes.
    const edge = await readPredictionTexts(
      [{ name: 'e.csv', content: 'id,label,pred\na,999,0\n' }],
      teacher,
    );
    expect(edge.testSet.numClasses).toBe(1000);
  });

  it('JSON Lines: 5e9, 1e400 and fractions are problems with their column', async () => {
    const line = (pred: string) => `{"id": "a", "label": 0, "pred": ${pred}}`;
    for (const pred of ['5e9', '1e400', '1.5']) {
      const [p] = await problemsOf([{ name: 'p.jsonl', content: line(pred) }]);
      expect(p).toMatchObject({ file: 'p.jsonl', line: 1, column: 25 });
      expect(p?.message).toMatch(/^pred: /);
    }
  });

  it('at most 32 attribute columns, named at the 33rd', async () => {
    const attrs = Array.from({ length: 20_000 }, (_, i) => `attr_a${i}`);
    const header = `id,label,pred,${attrs.join(',')}`;
    const row = `x,0,0,${attrs.map(() => 'g').join(',')}`;
    const problems = await problemsOf([{ name: 'attrs.csv', content: `${header}\n${row}\n` }]);
    // Columns before attr_a32: 'id,label,pred,' (14) + 32 × 'attr_aN,' (8 for N < 10, 9 after).
    const column = 14 + 10 * 8 + 22 * 9 + 1;
    expect(problems).toEqual([
      {
        file: 'attrs.csv',
        line: 1,
        column,
        message: '20000 attribute columns (attr_…); at most 32',
      },
    ]);
    expect(header.slice(column - 1).startsWith('attr_a32,')).toBe(true);
  });

  it('NUL characters are problems at their cell, in CSV and JSON Lines', async () => {
    expect(
      await problemsOf([{ name: 'n.csv', content: 'id,label,pred\na\u0000,0,0\nb,0,0\n' }]),
    ).toEqual([
      { file: 'n.csv', line: 2, column: 1, message: 'contains a NUL character (\\u0000)' },
    ]);
    const [p] = await problemsOf([
      { name: 'n.jsonl', content: '{"id": "a\\u0000", "label": 0, "pred": 0}' },
    ]);
    expect(p).toEqual({
      file: 'n.jsonl',
      line: 1,
      column: 2,
      message: 'id: contains a NUL character (\\u0000)',
    });
  });

  it('JSON Lines probs wider than the class cap are a problem naming probs', async () => {
    // One probability of 1 and 199,999 zeros: a valid softmax output, 200,000 classes wide.
    const probs = Array.from({ length: 200_000 }, (_, k) => (k === 0 ? 1 : 0));
    const line = `{"id": "a", "label": 0, "pred": 0, "probs": [${probs.join(',')}]}`;
    expect(await problemsOf([{ name: 'w.jsonl', content: line }])).toEqual([
      {
        file: 'w.jsonl',
        line: 1,
        // `{"id": "a", "label": 0, "pred": 0, ` is 35 characters.
        column: 36,
        message: 'probs has 200000 values; at most 100000 (one per class)',
      },
    ]);
    // At the cap it is taken (without a class list, the width gives the class count).
    const atCap = Array.from({ length: importLimits.classes }, (_, k) => (k === 0 ? 1 : 0));
    const study = await readPredictionTexts(
      [{ name: 'c.jsonl', content: `{"id": "a", "label": 0, "pred": 0, "probs": [${atCap}]}` }],
      teacher,
    );
    expect(study.testSet.numClasses).toBe(100_000);
  });

  it('unpaired surrogates are problems at their place, in CSV and JSON Lines', async () => {
    expect(
      await problemsOf([
        { name: 's.csv', content: '# classes: cat,d\ud800g\nid,label,pred\na,0,0\n' },
      ]),
    ).toEqual([{ file: 's.csv', line: 1, message: 'contains an unpaired surrogate (\\ud800)' }]);
    const [p] = await problemsOf([
      {
        name: 's.jsonl',
        content: '{"run": {"classes": ["cat", "d\\udc00g"]}}\n{"id": "a", "label": 0, "pred": 0}',
      },
    ]);
    expect(p).toEqual({
      file: 's.jsonl',
      line: 1,
      column: 2,
      message: 'run.classes.1: contains an unpaired surrogate (\\udc00)',
    });
  });

  it('deep JSON and too many files are problems, not stack overflows', async () => {
    const deep = `{"run": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const [p] = await problemsOf([{ name: 'd.jsonl', content: deep }]);
    expect(p).toEqual({
      file: 'd.jsonl',
      line: 1,
      column: 9 + importLimits.jsonNesting - 1,
      message: 'nested deeper than 16 levels',
    });
    const many = Array.from({ length: 1001 }, (_, i) => ({ name: `${i}.csv`, content: '' }));
    expect(await problemsOf(many)).toEqual([
      { file: '(import)', message: '1001 files; at most 1000 (one per run) in one import' },
    ]);
  });

  it('cuts long values short in messages', () => {
    expect(shown('x'.repeat(1000))).toBe(`${'x'.repeat(40)}…`);
    expect(shown('short')).toBe('short');
  });
});

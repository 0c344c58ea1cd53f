import { describe, expect, it } from 'vitest';
import { column, type ExportTable, type RowBatch } from '../export-table.ts';
import { csvChunks } from './csv.writer.ts';
import { jsonlChunks } from './jsonl.writer.ts';

const columns = [
  column('experiment', 'utf8'),
  column('name', 'utf8', true),
  column('n', 'int32'),
  column('p', 'float', true),
  column('acc', 'double', true),
  column('ok', 'boolean', true),
  column('at', 'timestamp', true),
];

function table(batches: RowBatch[]): ExportTable {
  return {
    columns,
    batches: (async function* () {
      yield* batches;
    })(),
  };
}

const at = new Date('2025-03-04T05:06:07.089Z');
const batches = (): RowBatch[] => [
  {
    rows: 3,
    values: [
      { constant: 'study, "one"' },
      ['=HYPERLINK("x")', null, 'a;b'],
      Int32Array.of(1, -2, 3),
      Float32Array.of(0.8, 0.1, 1 / 3),
      [0.5, Number.NaN, null],
      [true, false, null],
      [at, null, at],
    ],
  },
  { rows: 1, values: [{ constant: 'study, "one"' }, ['-1'], [4], [null], [1], [true], [null]] },
];

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

describe('csvChunks', () => {
  it('writes a header, formula-safe quoted text, exact numbers and empty cells for absent values', async () => {
    expect(await text(csvChunks(table(batches())))).toBe(
      [
        'experiment,name,n,p,acc,ok,at',
        `"study, ""one""","'=HYPERLINK(""x"")",1,0.8,0.5,true,2025-03-04T05:06:07.089Z`,
        `"study, ""one""",,-2,0.1,,false,`,
        `"study, ""one""","a;b",3,0.33333334,,,2025-03-04T05:06:07.089Z`,
        `"study, ""one""",'-1,4,,1,true,`,
        '',
      ].join('\n'),
    );
  });

  it('writes the header alone for a table without rows', async () => {
    expect(await text(csvChunks(table([])))).toBe('experiment,name,n,p,acc,ok,at\n');
  });
});

describe('jsonlChunks', () => {
  it('writes one object per row with every column, null where absent, text as it is', async () => {
    const lines = (await text(jsonlChunks(table(batches())))).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        experiment: 'study, "one"',
        name: '=HYPERLINK("x")',
        n: 1,
        p: 0.8,
        acc: 0.5,
        ok: true,
        at: '2025-03-04T05:06:07.089Z',
      },
      { experiment: 'study, "one"', name: null, n: -2, p: 0.1, acc: null, ok: false, at: null },
      {
        experiment: 'study, "one"',
        name: 'a;b',
        n: 3,
        p: 0.33333334,
        acc: null,
        ok: null,
        at: '2025-03-04T05:06:07.089Z',
      },
      { experiment: 'study, "one"', name: '-1', n: 4, p: null, acc: 1, ok: true, at: null },
    ]);
    // Keys in column order, as the CSV header.
    expect(Object.keys(JSON.parse(lines[0] as string))).toEqual(columns.map((c) => c.name));
  });
});

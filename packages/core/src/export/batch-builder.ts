import type { Cell, RowBatch } from './export-table.ts';

/**
 * Collects rows one at a time into a columnar batch, for the tables whose rows are computed
 * (comparisons, counts) rather than sliced out of stored arrays.
 */
export class BatchBuilder {
  private values: Cell[][];
  rows = 0;

  constructor(
    private readonly width: number,
    private readonly batchRows: number,
  ) {
    this.values = this.empty();
  }

  private empty(): Cell[][] {
    return Array.from({ length: this.width }, () => []);
  }

  add(cells: readonly Cell[]): void {
    if (cells.length !== this.width) {
      throw new Error(
        `BatchBuilder: a row has ${cells.length} cells, the table ${this.width} columns`,
      );
    }
    for (let c = 0; c < this.width; c++) (this.values[c] as Cell[]).push(cells[c] ?? null);
    this.rows++;
  }

  get full(): boolean {
    return this.rows >= this.batchRows;
  }

  take(): RowBatch {
    const batch = { rows: this.rows, values: this.values };
    this.values = this.empty();
    this.rows = 0;
    return batch;
  }
}

/** Rows from `rows` in batches of `batchRows` (the last one shorter). */
export async function* batchesOf(
  width: number,
  batchRows: number,
  rows: Iterable<readonly Cell[]> | AsyncIterable<readonly Cell[]>,
): AsyncGenerator<RowBatch> {
  const builder = new BatchBuilder(width, batchRows);
  for await (const row of rows) {
    builder.add(row);
    if (builder.full) yield builder.take();
  }
  if (builder.rows > 0) yield builder.take();
}

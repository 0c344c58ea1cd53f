import { describe, expect, it } from 'vitest';
import { ExportRequestError, parseExportRequest } from './export-request.ts';

function failure(input: Parameters<typeof parseExportRequest>[0]): ExportRequestError {
  try {
    parseExportRequest(input);
  } catch (error) {
    if (error instanceof ExportRequestError) return error;
    throw error;
  }
  throw new Error('expected an ExportRequestError');
}

describe('parseExportRequest', () => {
  it("defaults alpha and statistic to the GraphQL API's defaults", () => {
    expect(
      parseExportRequest({ experiment: 'demo', table: 'significance', format: 'csv' }),
    ).toEqual({
      experiment: 'demo',
      table: 'significance',
      format: 'csv',
      alpha: 0.05,
      statistic: 'normalized',
    });
    expect(
      parseExportRequest({
        experiment: 'demo',
        table: 'class-comparison',
        format: 'parquet',
        alpha: '0.01',
        statistic: 'raw',
      }),
    ).toMatchObject({ alpha: 0.01, statistic: 'raw' });
  });

  it('names the argument that is wrong and what it may be', () => {
    const table = failure({ experiment: 'demo', table: 'clases', format: 'csv' });
    expect(table.argument).toBe('table');
    expect(table.kind).toBe('invalid');
    expect(table.message).toBe(
      'table: "clases" is not one of predictions, class-accuracy, class-comparison, significance, groups, fairness, runs',
    );
    expect(failure({ experiment: 'demo', table: 'runs', format: 'xlsx' }).message).toBe(
      'format: "xlsx" is not one of csv, parquet, jsonl',
    );
    expect(failure({ experiment: ' ', table: 'runs', format: 'csv' }).argument).toBe('experiment');
    for (const alpha of ['1.5', '-0.1', 'abc', '']) {
      expect(
        failure({ experiment: 'd', table: 'significance', format: 'csv', alpha }).argument,
      ).toBe('alpha');
    }
    expect(
      failure({ experiment: 'd', table: 'significance', format: 'csv', statistic: 'ratio' })
        .message,
    ).toBe('statistic: "ratio" is not one of normalized, difference, raw');
  });

  it('refuses alpha and statistic for tables they do not shape', () => {
    expect(
      failure({ experiment: 'd', table: 'predictions', format: 'csv', alpha: '0.01' }).message,
    ).toBe('alpha: applies to the class-comparison and significance tables only, not predictions');
  });

  it('quotes at most 80 characters of what the user typed', () => {
    const message = failure({ experiment: 'd', table: 'x'.repeat(500), format: 'csv' }).message;
    expect(message).toContain(`"${'x'.repeat(80)}"`);
    expect(message).not.toContain('x'.repeat(81));
  });
});

import { describe, expect, it } from 'vitest';
import { contentDisposition, ExportPathError, parseExportUrl } from './export-path.ts';

const parse = (path: string) => parseExportUrl(new URL(path, 'http://127.0.0.1'));

function failure(path: string): ExportPathError {
  try {
    parse(path);
  } catch (error) {
    if (error instanceof ExportPathError) return error;
    throw error;
  }
  throw new Error(`expected ${path} to fail`);
}

describe('parseExportUrl', () => {
  it('splits /export/<experiment>/<table>.<format>, decoding the experiment', () => {
    expect(parse('/export/cifar-study/class-comparison.csv')).toEqual({
      experiment: 'cifar-study',
      table: 'class-comparison',
      format: 'csv',
    });
    expect(parse('/export/my%20study%2Fv2/runs.parquet?alpha=0.01&statistic=raw')).toEqual({
      experiment: 'my study/v2',
      table: 'runs',
      format: 'parquet',
      alpha: '0.01',
      statistic: 'raw',
    });
    // The format is after the last dot; the table check comes later (prepareExport).
    expect(parse('/export/e/a.b.jsonl')).toMatchObject({ table: 'a.b', format: 'jsonl' });
  });

  it('answers 404 for paths of another shape and 400 for bad encoding or parameters', () => {
    for (const path of [
      '/export/',
      '/export/e',
      '/export/e/runs',
      '/export/e/x/runs.csv',
      '/export//runs.csv',
      '/export/e/.csv',
    ]) {
      expect(failure(path).status).toBe(404);
    }
    expect(failure('/export/%E0%A4%A/runs.csv').status).toBe(400);
    const unknown = failure('/export/e/runs.csv?corection=holm');
    expect(unknown.status).toBe(400);
    expect(unknown.message).toContain('"corection"');
  });

  it('answers 400 for an experiment PostgreSQL cannot compare (a NUL) or longer than a name', () => {
    const nul = failure('/export/a%00b/runs.csv');
    expect(nul.status).toBe(400);
    expect(nul.message).toBe(
      'bad request: the experiment in the export path holds a NUL character (\\u0000)',
    );
    expect(failure(`/export/${'x'.repeat(1001)}/runs.csv`).status).toBe(400);
    expect(parse(`/export/${'x'.repeat(1000)}/runs.csv`).experiment).toHaveLength(1000);
  });
});

describe('contentDisposition', () => {
  it('names the file in ASCII and exactly in UTF-8, with nothing that could break the header', () => {
    expect(contentDisposition('cifar-study-runs.csv')).toBe(
      `attachment; filename="cifar-study-runs.csv"; filename*=UTF-8''cifar-study-runs.csv`,
    );
    expect(contentDisposition('étude "x"\r\n;.csv')).toBe(
      `attachment; filename="_tude__x____.csv"; filename*=UTF-8''%C3%A9tude%20%22x%22%0D%0A%3B.csv`,
    );
  });
});

import { expect, it } from 'vitest';
import { exportHref, parseExportFile } from './export-files.ts';

it('parses the files the menu offers and nothing else', () => {
  expect(parseExportFile('class-comparison.csv')).toEqual({
    table: 'class-comparison',
    format: 'csv',
  });
  expect(parseExportFile('predictions.parquet')).toEqual({
    table: 'predictions',
    format: 'parquet',
  });
  expect(parseExportFile('runs.jsonl')).toEqual({ table: 'runs', format: 'jsonl' });
  for (const file of [
    'predictions',
    '.csv',
    'predictions.xlsx',
    'predictions.csv.exe',
    'Predictions.csv',
    '../runs.csv',
    'runs.csv/',
    'toString.csv',
    '__proto__.csv',
  ]) {
    expect(parseExportFile(file), file).toBeNull();
  }
});

it("names the web's own route, with the experiment id as one path segment", () => {
  expect(exportHref('a/b c', 'groups', 'parquet')).toBe(
    '/experiments/a%2Fb%20c/export/groups.parquet',
  );
});

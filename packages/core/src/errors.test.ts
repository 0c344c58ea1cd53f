import { MetricsInputError } from '@kdlens/metrics';
import { describe, expect, it } from 'vitest';
import { ConfigError, isUserActionable, KdlensError, WarehouseError } from './errors.ts';
import { CsvSyntaxError } from './import/csv-records.ts';

describe('isUserActionable', () => {
  it('is true for the KdlensError family and for metrics’ input error', () => {
    for (const error of [
      new KdlensError('x'),
      new ConfigError('x'),
      new WarehouseError('x'),
      new CsvSyntaxError('unclosed quote', 3, 7),
      new MetricsInputError('yPred', 'not a class index', 4),
    ]) {
      expect(isUserActionable(error), error.name).toBe(true);
    }
    expect(new CsvSyntaxError('unclosed quote', 3, 7).name).toBe('CsvSyntaxError');
  });

  it('is false for anything else, whatever it calls itself', () => {
    expect(isUserActionable(new Error('x'))).toBe(false);
    expect(isUserActionable(new TypeError('x'))).toBe(false);
    expect(isUserActionable({ name: 'KdlensError', message: 'x' })).toBe(false);
    expect(isUserActionable('KdlensError')).toBe(false);
  });
});

import type { ClassStatistic } from '@kdlens/metrics';
import { KdlensError } from '../errors.ts';

/** The tables `kdlens export` and `GET /export/…` write, each in long (tidy) form. */
export const exportTables = [
  'predictions',
  'class-accuracy',
  'class-comparison',
  'significance',
  'groups',
  'fairness',
  'runs',
] as const;
export type ExportTableName = (typeof exportTables)[number];

export const exportFormats = ['csv', 'parquet', 'jsonl'] as const;
export type ExportFormat = (typeof exportFormats)[number];

const classStatistics: readonly ClassStatistic[] = ['normalized', 'difference', 'raw'];

/**
 * What the user asked for, as typed at a front end (CLI options, a URL). `alpha` and
 * `statistic` shape the class-bias tests of `class-comparison` and `significance` and default to
 * the GraphQL API's defaults, so the same request gives the same numbers there.
 */
export interface ExportRequestInput {
  experiment: string;
  table: string;
  format: string;
  alpha?: string | number | undefined;
  statistic?: string | undefined;
}

export interface ExportRequest {
  experiment: string;
  table: ExportTableName;
  format: ExportFormat;
  alpha: number;
  statistic: ClassStatistic;
}

/** Arguments that shape only some tables; given for another, they are a mistake worth naming. */
const analysisTables: readonly ExportTableName[] = ['class-comparison', 'significance'];

/**
 * A bad export request: names the argument (`experiment`, `table`, `format`, `alpha`,
 * `statistic`) so the CLI can print it and the HTTP route can answer 404 (not-found) or 400.
 * Messages quote only what the user typed (cut to 80 characters), never a server path.
 */
export class ExportRequestError extends KdlensError {
  override readonly name = 'ExportRequestError';
  constructor(
    readonly argument: string,
    readonly kind: 'not-found' | 'invalid',
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}

export const quoted = (value: string) => JSON.stringify(value.slice(0, 80));

function oneOf<T extends string>(values: readonly T[], value: string, argument: string): T {
  const found = values.find((v) => v === value);
  if (found === undefined) {
    throw new ExportRequestError(
      argument,
      'invalid',
      `${quoted(value)} is not one of ${values.join(', ')}`,
    );
  }
  return found;
}

/** Checks a request before anything is read; throws ExportRequestError naming the argument. */
export function parseExportRequest(input: ExportRequestInput): ExportRequest {
  if (input.experiment.trim() === '') {
    throw new ExportRequestError('experiment', 'invalid', 'give an experiment name or id');
  }
  const table = oneOf(exportTables, input.table, 'table');
  const format = oneOf(exportFormats, input.format, 'format');
  const usesAnalysis = analysisTables.includes(table);
  for (const argument of ['alpha', 'statistic'] as const) {
    if (input[argument] !== undefined && !usesAnalysis) {
      throw new ExportRequestError(
        argument,
        'invalid',
        `applies to the ${analysisTables.join(' and ')} tables only, not ${table}`,
      );
    }
  }
  let alpha = 0.05;
  if (input.alpha !== undefined) {
    const text = String(input.alpha).trim();
    alpha = text === '' ? Number.NaN : Number(text);
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new ExportRequestError(
        'alpha',
        'invalid',
        `must be a number in [0, 1], not ${quoted(String(input.alpha))}`,
      );
    }
  }
  const statistic =
    input.statistic === undefined
      ? 'normalized'
      : oneOf(classStatistics, input.statistic, 'statistic');
  return { experiment: input.experiment, table, format, alpha, statistic };
}

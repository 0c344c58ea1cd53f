import type { Command } from 'commander';
import { withWarehouse } from '../cli-context.ts';

interface ExportOptions {
  table: string;
  format?: string;
  out?: string;
  alpha?: string;
  statistic?: string;
}

/** How the CLI names each argument of an export request in its messages. */
const flagOf: Record<string, string> = {
  experiment: '<experiment>',
  table: '--table',
  format: '--format',
  alpha: '--alpha',
  statistic: '--statistic',
};

/**
 * `kdlens export`: one table of a study's results as CSV, JSON Lines or Parquet, streamed from the
 * warehouse (the same code as the API's GET /export/…). To a file, written beside it first and
 * renamed when complete, so a failed export never leaves half a file under the name; or to stdout.
 */
export function registerExportCommand(program: Command): void {
  program
    .command('export <experiment>')
    .description(
      'write one table of a study (by name or id) as CSV, JSON Lines or Parquet: predictions, class-accuracy, class-comparison, significance, groups, fairness or runs',
    )
    .requiredOption(
      '--table <table>',
      'predictions | class-accuracy | class-comparison | significance | groups | fairness | runs',
    )
    .option('--format <format>', "csv | parquet | jsonl (default: --out's extension, else csv)")
    .option('--out <file>', 'file to write (default: stdout)')
    .option('--alpha <level>', 'class-comparison, significance: significance level (default 0.05)')
    .option(
      '--statistic <name>',
      'class-comparison, significance: normalized | difference | raw (default normalized)',
    )
    .action(async (experiment: string, options: ExportOptions) => {
      const { KdlensError } = await import('@kdlens/core');
      const { ExportRequestError, exportFormats, parseExportRequest, prepareExport } = await import(
        '@kdlens/core/export'
      );
      const extension = options.out?.split('.').pop()?.toLowerCase();
      const format =
        options.format ?? exportFormats.find((f) => f === extension) ?? ('csv' as const);
      const input = {
        experiment,
        table: options.table,
        format,
        alpha: options.alpha,
        statistic: options.statistic,
      };
      const asFlags = (error: unknown) => {
        if (error instanceof ExportRequestError) {
          const flag = flagOf[error.argument] ?? error.argument;
          return new KdlensError(`${flag}${error.message.slice(error.argument.length)}`);
        }
        return error;
      };
      // Arguments are checked before the warehouse opens: a typo costs nothing.
      try {
        parseExportRequest(input);
      } catch (error) {
        throw asFlags(error);
      }
      if (format === 'parquet' && options.out === undefined && process.stdout.isTTY) {
        throw new KdlensError('Parquet is binary: give --out <file>, or redirect stdout to a file');
      }
      await withWarehouse(async (w) => {
        const prepared = await prepareExport(w.db, input).catch((error: unknown) => {
          throw asFlags(error);
        });
        const { Readable } = await import('node:stream');
        const { pipeline } = await import('node:stream/promises');
        if (options.out === undefined) {
          await pipeline(Readable.from(prepared.body(), { highWaterMark: 1 }), process.stdout, {
            end: false,
          });
          return;
        }
        const { createWriteStream } = await import('node:fs');
        const { rename, rm, stat } = await import('node:fs/promises');
        const partial = `${options.out}.partial-${process.pid}`;
        try {
          await pipeline(
            Readable.from(prepared.body(), { highWaterMark: 1 }),
            createWriteStream(partial),
          );
          await rename(partial, options.out);
        } catch (error) {
          await rm(partial, { force: true });
          throw error;
        }
        const { size } = await stat(options.out);
        process.stderr.write(
          `${prepared.experiment.name}: ${prepared.request.table} as ${prepared.request.format} → ${options.out} (${size} bytes)\n`,
        );
      });
    });
}

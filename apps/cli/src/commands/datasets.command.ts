import { writeFile } from 'node:fs/promises';
import { KdlensError } from '@kdlens/core';
import type { InspectOptions } from '@kdlens/trainer/datasets';
import { type Command, Option } from 'commander';

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function number(name: string, { min, max }: { min: number; max: number }) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new KdlensError(`${name} must be a number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

export function registerDatasetCommands(program: Command): void {
  const datasets = program.command('datasets').description('the data sets KDLens reads');

  datasets
    .command('list')
    .description('names, files and attributes of every data set')
    .option('--json', 'print one JSON document instead of text')
    .action(async (options: { json?: boolean }) => {
      const { datasets: all } = await import('@kdlens/trainer/datasets');
      if (options.json) {
        const entries = all.map((d) => ({
          name: d.name,
          description: d.description,
          files: d.files,
          attributes: d.attributes,
        }));
        process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        return;
      }
      for (const d of all) {
        process.stdout.write(
          `${d.name}\n  ${d.description}\n  files: ${d.files}\n  ${d.attributes}\n`,
        );
      }
    });

  datasets
    .command('inspect <name>')
    .description('classes, per-split and per-class counts, attribute groups, input shape')
    .option('--root <dir>', 'the folder with the publisher’s files')
    .option('--label <name>', 'the attribute to predict, where the data set lets you choose')
    .option('--sensitive <names>', 'comma-separated sensitive attributes', list)
    .option('--path-column <column>', 'csv: the column of image paths')
    .option('--text-column <column>', 'csv: the column of text')
    .option('--split-column <column>', 'csv: the column holding train/val/test')
    .option('--json', 'print JSON')
    .action(async (name: string, options: InspectOptions & { json?: boolean }) => {
      const { findDataset } = await import('@kdlens/trainer/datasets');
      const { formatDatasetSummary } = await import('@kdlens/trainer/dataset-summary');
      const summary = await findDataset(name).inspect(options);
      process.stdout.write(
        options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatDatasetSummary(summary),
      );
    });

  datasets
    .command('render <name>')
    .description('write a PNG grid of samples of a generated data set (trifeature)')
    .requiredOption('--out <file>', 'the PNG to write')
    .addOption(
      new Option('--size <px>', 'side of each sample')
        .default(64)
        .argParser(number('--size', { min: 8, max: 512 })),
    )
    .addOption(new Option('--rows <n>').default(6).argParser(number('--rows', { min: 1, max: 64 })))
    .addOption(new Option('--cols <n>').default(8).argParser(number('--cols', { min: 1, max: 64 })))
    .addOption(
      new Option('--seed <n>').default(0).argParser(number('--seed', { min: 0, max: 2 ** 32 - 1 })),
    )
    .addOption(
      new Option('--correlation <p>', 'shape–colour correlation, 0..1')
        .default(0)
        .argParser(number('--correlation', { min: 0, max: 1 })),
    )
    .action(
      async (
        name: string,
        o: {
          out: string;
          size: number;
          rows: number;
          cols: number;
          seed: number;
          correlation: number;
        },
      ) => {
        if (name !== 'trifeature') {
          throw new KdlensError(
            `only generated data sets can be rendered; "${name}" is not one (try trifeature)`,
          );
        }
        const { renderTrifeatureGrid } = await import('@kdlens/trainer/trifeature');
        const png = await renderTrifeatureGrid({
          rows: o.rows,
          cols: o.cols,
          size: o.size,
          seed: o.seed,
          correlation: o.correlation,
        });
        await writeFile(o.out, png);
        process.stdout.write(`wrote ${o.out} (${o.rows}×${o.cols} samples of ${o.size} px)\n`);
      },
    );
}

import { type Command, Option } from 'commander';
import { withWarehouse } from '../cli-context.ts';

interface ImportOptions {
  experiment: string;
  dataset?: string;
  role?: string;
  temperature?: string;
  seed?: string;
  architecture?: string;
}

export function registerResultsCommands(program: Command): void {
  program
    .command('import <files...>')
    .description(
      'import predictions made elsewhere (one CSV or JSON Lines file per run); every file is checked before anything is written, then all of it is written in one transaction',
    )
    .requiredOption('--experiment <name>', 'experiment to import into (created when missing)')
    .option('--dataset <name>', "data set label of a new experiment (default 'imported')")
    .option('--role <role>', 'teacher | student | distilled, for files whose header lacks it')
    .option('--temperature <T>', 'KD temperature, for distilled files whose header lacks it')
    .option('--seed <n>', 'seed, for files whose header lacks it')
    .option('--architecture <name>', 'architecture, for files whose header lacks it')
    .action(async (files: string[], options: ImportOptions) => {
      const { readPredictionFiles, writeImportedStudy, armLabel } = await import('@kdlens/core');
      const flags = Object.fromEntries(
        (['role', 'temperature', 'seed', 'architecture'] as const)
          .filter((k) => options[k] !== undefined)
          .map((k) => [k, options[k]]),
      );
      // Validate everything before opening the warehouse: a bad file costs nothing.
      const study = await readPredictionFiles(files, flags);
      await withWarehouse(async (w) => {
        const outcome = await writeImportedStudy(
          w.db,
          { experiment: options.experiment, dataset: options.dataset, files },
          study,
        );
        const verb = outcome.created ? 'created' : 'updated';
        process.stdout.write(
          `${options.experiment} (${verb}): ${outcome.runsImported} runs, ${study.testSet.ids.length} test examples, ${study.testSet.numClasses} classes\n`,
        );
        for (const arm of outcome.summary?.summary.arms ?? []) {
          const pct = (arm.accuracy.mean * 100).toFixed(2);
          process.stdout.write(
            `  ${armLabel(arm).padEnd(10)} accuracy ${pct}% over ${arm.seeds.length} seed(s)\n`,
          );
        }
      });
    });

  program
    .command('report <experiment>')
    .description(
      "the paper's tables for a study: accuracy per arm, SC/TC per temperature, DPD/EOD per attribute, individual fairness",
    )
    .option('--format <format>', 'table | markdown | csv | json', 'table')
    .addOption(new Option('--json', 'the same as --format json').conflicts('format'))
    .action(async (ref: string, options: { format: string; json?: boolean }) => {
      const { KdlensError, renderReport, reportFormats, studyReport } = await import(
        '@kdlens/core'
      );
      const requested = options.json ? 'json' : options.format;
      const format = reportFormats.find((f) => f === requested);
      if (format === undefined) {
        throw new KdlensError(
          `--format must be one of ${reportFormats.join(', ')}, not '${options.format}'`,
        );
      }
      await withWarehouse(async (w) => {
        const { findExperiment } = await import('@kdlens/core/db');
        const { getStudySummary, recomputeStudySummary } = await import('@kdlens/core/results');
        const experiment = await findExperiment(w.db, ref);
        if (!experiment) throw new KdlensError(`no experiment is named or has the id '${ref}'`);
        let stored = await getStudySummary(w.db, experiment.id);
        // A summary older than its runs (e.g. a run deleted since) is recomputed, never shown.
        if (stored === undefined || stored.stale) {
          stored = (await recomputeStudySummary(w.db, experiment.id)) ?? undefined;
        }
        if (stored === undefined) {
          throw new KdlensError(
            `experiment '${experiment.name}' has no finished runs yet, so there is nothing to report`,
          );
        }
        const header =
          format === 'table' || format === 'markdown'
            ? `${experiment.name} — ${experiment.dataset}, ${stored.summary.examples} test examples, ${stored.summary.numClasses} classes\n\n`
            : '';
        process.stdout.write(`${header}${renderReport(studyReport(stored.summary), format)}\n`);
      });
    });
}

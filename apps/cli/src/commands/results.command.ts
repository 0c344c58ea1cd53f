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
      "the paper's tables for a study: accuracy per arm, SC/TC per temperature, DPD/EOD per attribute, individual fairness; with --intersect, group fairness of attributes taken jointly and the class × group cells that lost most",
    )
    .option('--format <format>', 'table | markdown | csv | json', 'table')
    .addOption(new Option('--json', 'the same as --format json').conflicts('format'))
    .option(
      '--intersect <attributes>',
      'sensitive attributes taken jointly, comma-separated (e.g. sex,age; one attribute works too): DPD/DPR/EOD/EOR by both methods, rates per group, worst class × group cells',
    )
    .option(
      '--positive-class <k>',
      'with --intersect: the class taken as positive (one-vs-rest); default the mean over classes, as the study',
    )
    .option(
      '--min-group-size <n>',
      'with --intersect: groups with fewer test examples are flagged and left out of DPD/EOD',
      '30',
    )
    .option(
      '--worst <n>',
      'with --intersect: worst class × group cells listed per comparison',
      '10',
    )
    .action(async (ref: string, options: ReportOptions) => {
      const { KdlensError, intersectionalReport, renderReport, reportFormats, studyReport } =
        await import('@kdlens/core');
      const requested = options.json ? 'json' : options.format;
      const format = reportFormats.find((f) => f === requested);
      if (format === undefined) {
        throw new KdlensError(
          `--format must be one of ${reportFormats.join(', ')}, not '${options.format}'`,
        );
      }
      const intersect = options.intersect
        ?.split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      const positiveClass =
        options.positiveClass === undefined
          ? null
          : wholeNumber(options.positiveClass, '--positive-class', 0, KdlensError);
      const minGroupSize = wholeNumber(options.minGroupSize, '--min-group-size', 1, KdlensError);
      const worst = wholeNumber(options.worst, '--worst', 0, KdlensError);
      if (intersect?.length === 0) {
        throw new KdlensError(
          '--intersect needs at least one attribute name, e.g. --intersect sex,age',
        );
      }
      await withWarehouse(async (w) => {
        const { findExperiment } = await import('@kdlens/core/db');
        const {
          classGroupMatrix,
          getStudySummary,
          intersectionalGroups,
          loadClassGroupStudy,
          recomputeStudySummary,
        } = await import('@kdlens/core/results');
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
        const tables = studyReport(stored.summary);
        if (intersect) {
          const study = await loadClassGroupStudy(w.db, experiment.id, intersect);
          if (study) {
            const bootstrap = stored.options.bootstrap;
            const byMethod = (['between_groups', 'to_overall'] as const).map((method) =>
              intersectionalGroups(study, {
                positiveClass,
                minGroupSize,
                method,
                ...(bootstrap ? { bootstrap } : {}),
              }),
            );
            const matrix = classGroupMatrix(study, { worst: { limit: worst } });
            tables.push(
              ...intersectionalReport(byMethod, study.classNames, {
                value: matrix,
                worstPerChange: worst,
              }),
            );
          }
        }
        const header =
          format === 'table' || format === 'markdown'
            ? `${experiment.name} — ${experiment.dataset}, ${stored.summary.examples} test examples, ${stored.summary.numClasses} classes\n\n`
            : '';
        process.stdout.write(`${header}${renderReport(tables, format)}\n`);
      });
    });
}

interface ReportOptions {
  format: string;
  json?: boolean;
  intersect?: string;
  positiveClass?: string;
  minGroupSize: string;
  worst: string;
}

/** A whole-number option, at least `min`; the user's error otherwise. */
function wholeNumber(
  value: string,
  flag: string,
  min: number,
  Err: new (message: string) => Error,
): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new Err(`${flag} must be a whole number ≥ ${min}, not '${value}'`);
  }
  return n;
}

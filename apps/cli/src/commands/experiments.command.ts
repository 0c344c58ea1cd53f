import type { ExperimentRow, RunRow } from '@kdlens/core/db';
import type { Command } from 'commander';
import { withWarehouse } from '../cli-context.ts';
import { formatFields, formatTable, minute, writeJson } from '../text-output.ts';

const jsonOption = ['--json', 'print one JSON document instead of text'] as const;

function experimentJson(e: ExperimentRow) {
  return {
    id: e.id,
    name: e.name,
    dataset: e.dataset,
    status: e.status,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

function unitJson(r: RunRow) {
  return {
    id: r.id,
    role: r.role,
    temperature: r.temperature,
    seed: r.seed,
    architecture: r.architecture,
    status: r.status,
    progress: r.progress,
    epoch: r.epoch,
    attempt: r.attempt,
    worker: r.worker,
    etaSeconds: r.etaSeconds,
    heartbeatAt: r.heartbeatAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    accuracy: r.summary?.accuracy ?? null,
    error: r.error,
  };
}

/** How many units are in each status, in the order a study moves through them. */
function statusCounts(units: readonly RunRow[]): Record<RunRow['status'], number> {
  const counts = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  for (const u of units) counts[u.status] += 1;
  return counts;
}

function countsLine(counts: Record<string, number>, total: number): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`);
  return `${total} units${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

async function unitsTable(units: readonly RunRow[]): Promise<string> {
  if (units.length === 0) return '  no units\n';
  const { armLabel } = await import('@kdlens/core');
  const rows = units.map((u) => {
    const note =
      u.status === 'succeeded' && u.summary
        ? `accuracy ${(u.summary.accuracy * 100).toFixed(2)}%`
        : u.status === 'running'
          ? `epoch ${u.epoch}${u.etaSeconds !== null ? `, ETA ${Math.round(u.etaSeconds)} s` : ''}${u.worker ? `, on ${u.worker}` : ''}`
          : ((u.error ?? '').split('\n')[0]?.slice(0, 80) ?? '');
    return [
      armLabel(u),
      String(u.seed),
      u.architecture,
      u.status,
      `${Math.round(u.progress * 100)}%`,
      String(u.attempt),
      note,
    ];
  });
  return formatTable(
    ['unit', 'seed', 'architecture', 'status', 'progress', 'attempt', 'detail'],
    rows,
  )
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');
}

/** The experiment a user named, and its units; a KdlensError when there is none. */
async function findStudy(
  w: { db: import('@kdlens/core/db').Database },
  ref: string,
): Promise<{ experiment: ExperimentRow; units: RunRow[] }> {
  const { KdlensError } = await import('@kdlens/core');
  const { findExperiment, listRunsOfExperiments } = await import('@kdlens/core/db');
  const experiment = await findExperiment(w.db, ref);
  if (!experiment) {
    throw new KdlensError(
      `no experiment is named or has the id '${ref}'; see kdlens experiments list`,
    );
  }
  return { experiment, units: await listRunsOfExperiments(w.db, [experiment.id]) };
}

/** What the stored spec says, as labelled rows: a spec's summary, or where an import came from. */
async function specRows(experiment: ExperimentRow): Promise<[string, string][]> {
  const { experimentSpecSchema, planUnits } = await import('@kdlens/core');
  const parsed = experimentSpecSchema.safeParse(experiment.spec);
  if (parsed.success) {
    const { specSummaryRows } = await import('../spec-summary.ts');
    return specSummaryRows(parsed.data, planUnits(parsed.data));
  }
  const files = experiment.spec.files;
  return [
    [
      'source',
      experiment.spec.source === 'import' && Array.isArray(files)
        ? `imported predictions (${files.length} file(s) in the last import)`
        : 'not recorded from an experiment spec',
    ],
  ];
}

/** Asks on the terminal; true only for y or yes. The question goes to stderr, like any prompt. */
async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerExperimentsCommands(program: Command): void {
  const experiments = program
    .command('experiments')
    .description('the studies in the warehouse: list, show one, delete one');

  experiments
    .command('list')
    .description('every experiment, newest first: name, id, data set, status, runs done/total')
    .option(...jsonOption)
    .action((options: { json?: boolean }) =>
      withWarehouse(async (w) => {
        const { listExperimentOverviews } = await import('@kdlens/core/db');
        const all = await listExperimentOverviews(w.db);
        if (options.json) {
          writeJson(
            all.map((o) => ({
              ...experimentJson(o.experiment),
              runs: { succeeded: o.runsSucceeded, total: o.runsTotal },
            })),
          );
          return;
        }
        if (all.length === 0) {
          process.stdout.write(
            'no experiments; run one (kdlens run <spec>) or import predictions (kdlens import)\n',
          );
          return;
        }
        process.stdout.write(
          formatTable(
            ['name', 'id', 'dataset', 'status', 'runs', 'created'],
            all.map((o) => [
              o.experiment.name,
              o.experiment.id,
              o.experiment.dataset,
              o.experiment.status,
              `${o.runsSucceeded}/${o.runsTotal}`,
              minute(o.experiment.createdAt),
            ]),
          ),
        );
      }),
    );

  experiments
    .command('show <experiment>')
    .description(
      'one experiment (name or id): its spec summary and every unit (run) with its status',
    )
    .option(...jsonOption)
    .action((ref: string, options: { json?: boolean }) =>
      withWarehouse(async (w) => {
        const { experiment, units } = await findStudy(w, ref);
        if (options.json) {
          writeJson({
            ...experimentJson(experiment),
            spec: experiment.spec,
            counts: statusCounts(units),
            units: units.map(unitJson),
          });
          return;
        }
        process.stdout.write(
          `${experiment.name}\n${formatFields([
            ['id', experiment.id],
            ['dataset', experiment.dataset],
            ['status', experiment.status],
            ['created', minute(experiment.createdAt)],
            ['updated', minute(experiment.updatedAt)],
            ...(await specRows(experiment)),
          ])}\n${countsLine(statusCounts(units), units.length)}\n${await unitsTable(units)}`,
        );
      }),
    );

  experiments
    .command('delete <experiment>')
    .description(
      'delete an experiment (name or id) with its runs, predictions, results, artifacts and queued jobs, in one transaction',
    )
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option(
      '--force',
      'delete even while units are running (their workers drop them); without it, cancel first',
    )
    .action((ref: string, options: { yes?: boolean; force?: boolean }) =>
      withWarehouse(async (w) => {
        const { KdlensError } = await import('@kdlens/core');
        const { deleteExperiment, runningRefusal } = await import('@kdlens/core/queue');
        const { experiment, units } = await findStudy(w, ref);
        const running = units.filter((u) => u.status === 'running').length;
        if (running > 0 && !options.force) {
          // Checked again in the delete's transaction; here so nobody confirms a refused delete.
          throw new KdlensError(runningRefusal(experiment.name, running));
        }
        if (!options.yes) {
          if (!process.stdin.isTTY) {
            throw new KdlensError(
              `not deleting experiment "${experiment.name}" without confirmation: stdin is not a terminal, so pass --yes`,
            );
          }
          const ok = await confirm(
            `Delete experiment "${experiment.name}" (${experiment.id}) and its ${units.length} runs with their predictions, results and artifacts? This cannot be undone. [y/N] `,
          );
          if (!ok) {
            process.stderr.write('nothing deleted\n');
            return;
          }
        }
        const deleted = await deleteExperiment(w.db, experiment.id, { force: options.force });
        if (!deleted) throw new KdlensError(`experiment "${experiment.name}" was already deleted`);
        process.stdout.write(
          `deleted experiment "${deleted.name}" (${experiment.id}): ${deleted.runs} runs${deleted.running ? ` (${deleted.running} were running)` : ''}, ${deleted.jobs} queue jobs\n`,
        );
      }),
    );

  program
    .command('status <experiment>')
    .description(
      'where a study (name or id) stands: its status, units per status, and each unit’s progress',
    )
    .option(...jsonOption)
    .action((ref: string, options: { json?: boolean }) =>
      withWarehouse(async (w) => {
        const { experiment, units } = await findStudy(w, ref);
        const counts = statusCounts(units);
        if (options.json) {
          writeJson({
            id: experiment.id,
            name: experiment.name,
            status: experiment.status,
            counts,
            units: units.map(unitJson),
          });
          return;
        }
        process.stdout.write(
          `${experiment.name}: ${experiment.status}, ${countsLine(counts, units.length)}\n${await unitsTable(units)}`,
        );
      }),
    );
}

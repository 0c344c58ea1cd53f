/**
 * The spec of a study lives in experiments.spec (the parsed form, defaults filled in): workers
 * on any machine read it from there, so the spec file needs to exist only where `kdlens run` ran.
 */
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/queries/executor.ts';
import {
  findExperimentById,
  findExperimentByName,
  recordExperiment,
} from '../db/queries/experiments.ts';
import { KdlensError } from '../errors.ts';
import { type ExperimentSpec, experimentSpecSchema } from '../spec/experiment-spec.schema.ts';

/** Keys sorted at every level: jsonb does not keep the order the spec was written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Whether a stored experiments.spec is this spec (parsed, defaults filled in, any key order). */
function sameSpec(stored: unknown, spec: ExperimentSpec): boolean {
  const parsed = experimentSpecSchema.safeParse(stored);
  return parsed.success && canonical(parsed.data) === canonical(spec);
}

/**
 * The id of the study named like the spec when it was recorded from a different experiment spec
 * (an earlier version of the same file, or another study of that name), so recordStudy would
 * refuse this one; else undefined, also for an experiment of imported predictions.
 */
export async function experimentOfOtherSpec(
  db: Executor,
  spec: ExperimentSpec,
): Promise<string | undefined> {
  const experiment = await findExperimentByName(db, spec.name);
  if (experiment === undefined) return undefined;
  const stored = experimentSpecSchema.safeParse(experiment.spec);
  return stored.success && canonical(stored.data) !== canonical(spec) ? experiment.id : undefined;
}

/**
 * Creates the spec's experiment, or finds it when the spec was run before. An experiment of the
 * same name recorded from a different spec is refused: its runs would mix two studies. Given a
 * transaction, the experiment commits (or not) with whatever else the caller writes in it.
 */
export async function recordStudy(
  db: Executor,
  spec: ExperimentSpec,
): Promise<{ id: string; created: boolean }> {
  const { experiment, runs } = await recordExperiment(db, {
    name: spec.name,
    dataset: spec.dataset.name,
    spec: JSON.parse(JSON.stringify(spec)) as Record<string, unknown>,
    runs: [],
  });
  if (!sameSpec(experiment.spec, spec)) {
    throw new KdlensError(
      `an experiment named "${spec.name}" already exists with a different spec (${runs.length} runs); ` +
        'give this spec another name, or keep the stored one unchanged to resume it',
    );
  }
  return { id: experiment.id, created: runs.length === 0 };
}

const specs = new Map<string, Promise<ExperimentSpec>>();

/** The spec a study was recorded from (cached: a worker runs many units of one study). */
export function readStudySpec(db: Database, experimentId: string): Promise<ExperimentSpec> {
  let spec = specs.get(experimentId);
  if (spec === undefined) {
    spec = (async () => {
      const experiment = await findExperimentById(db, experimentId);
      if (!experiment) throw new KdlensError(`experiment ${experimentId} does not exist`);
      const parsed = experimentSpecSchema.safeParse(experiment.spec);
      if (!parsed.success) {
        throw new KdlensError(
          `experiment "${experiment.name}" was not recorded from an experiment spec, so no worker can train it`,
        );
      }
      return parsed.data;
    })();
    specs.set(experimentId, spec);
    spec.catch(() => specs.delete(experimentId));
  }
  return spec;
}

import { armLabel, type RunRole, runRoles } from '@kdlens/core';
import type { Database } from '@kdlens/core/db';
import { getStudySummary, type StoredStudySummary } from '@kdlens/core/results';
import {
  type ArmKey,
  type ClassStatistic,
  classStatisticMatrix,
  type RunAccuracy,
  type SignificanceCounts,
  significanceCounts,
  type TemperatureSignificance,
} from '@kdlens/metrics';
import { z } from 'zod';

/** One run's stored per-class accuracy (run_class_accuracy), as @kdlens/metrics reads it. */
export interface CachedRun {
  runId: string;
  seed: number;
  accuracy: RunAccuracy;
}

/** An arm's runs that have results, sorted by seed as summarizeStudy sorts them. */
export interface CachedArm extends ArmKey {
  label: string;
  runs: CachedRun[];
}

export const armKeyOf = (a: ArmKey) => `${a.role}:${a.temperature ?? ''}`;

const MAX_MEMOS = 256;

const roleOrder: Record<RunRole, number> = { teacher: 0, student: 1, distilled: 2 };

/**
 * What the analysis queries need of one experiment, at one version of its results. Immutable once
 * built; derived arrays (statistic matrices, sweeps, group rows) are memoised on it, so they live
 * exactly as long as the results they came from.
 */
export class StudyData {
  private readonly byKey: Map<string, CachedArm>;
  private readonly memos = new Map<string, unknown>();

  constructor(
    readonly experimentId: string,
    /** Names the results this was built from (see StudyCache). */
    readonly key: string,
    readonly numClasses: number,
    readonly classNames: string[],
    /** Sensitive attribute names of the test set. */
    readonly attributes: string[],
    /** Teacher, NDS, distilled by ascending T — the order of StudySummary.arms. */
    readonly arms: CachedArm[],
    /** The stored summarizeStudy output; undefined until one was computed. */
    readonly summary: StoredStudySummary | undefined,
  ) {
    this.byKey = new Map(arms.map((a) => [armKeyOf(a), a]));
  }

  arm(key: ArmKey): CachedArm | undefined {
    return this.byKey.get(armKeyOf(key));
  }

  /** Computes once per StudyData; concurrent callers share a pending promise too. */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = compute();
    // Arguments such as alpha are free-form: bound the memo so odd values cannot grow it forever.
    if (this.memos.size >= MAX_MEMOS) {
      const oldest = this.memos.keys().next().value;
      if (oldest !== undefined) this.memos.delete(oldest);
    }
    this.memos.set(key, value);
    if (value instanceof Promise) value.catch(() => this.memos.delete(key));
    return value;
  }

  /** @kdlens/metrics classStatisticMatrix of an arm (run-major, runs by seed). */
  matrix(arm: CachedArm, statistic: ClassStatistic): Float64Array {
    return this.memo(`matrix|${armKeyOf(arm)}|${statistic}`, () =>
      classStatisticMatrix(
        arm.runs.map((r) => r.accuracy),
        this.numClasses,
        statistic,
      ),
    );
  }

  /**
   * SC and TC per temperature, composed exactly as summarizeStudy composes them (a Welch test per
   * class with correction 'none', then Holm and BH over the same p-values), so with the summary's
   * alpha and statistic the counts equal the stored summary's.
   */
  sweep(statistic: ClassStatistic, alpha: number): TemperatureSignificance[] {
    return this.memo(`sweep|${statistic}|${alpha}`, () => {
      const counts = (a: CachedArm | undefined, b: CachedArm): SignificanceCounts | null =>
        a === undefined
          ? null
          : significanceCounts(
              { matrix: this.matrix(a, statistic), seeds: a.runs.length },
              { matrix: this.matrix(b, statistic), seeds: b.runs.length },
              this.numClasses,
              alpha,
            );
      const teacher = this.arm({ role: 'teacher', temperature: null });
      const student = this.arm({ role: 'student', temperature: null });
      return this.arms
        .filter((a) => a.role === 'distilled')
        .map((arm) => ({
          temperature: arm.temperature as number,
          sc: counts(student, arm),
          tc: counts(teacher, arm),
        }));
    });
  }
}

// Rows as node-postgres returns them; checked because the database is a boundary.
const versionRowSchema = z.object({
  digest: z.string().nullable(),
  fingerprint: z.string().nullable(),
  computed_at: z.string().nullable(),
  results: z.string(),
});

// A float8[] arrives as a JS array with NaN for a class without test examples; a per-element
// zod schema would cost more than the rest of the load at 60 runs × 1000 classes.
const float8ArraySchema = z.custom<number[]>(
  (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'),
  'expected a float8[]',
);

const accuracyRowSchema = z.object({
  run_id: z.string(),
  role: z.enum(runRoles),
  temperature: z.number().nullable(),
  seed: z.number().int(),
  overall: z.number(),
  accuracy: float8ArraySchema,
});

const testSetRowSchema = z.object({
  num_classes: z.number().int(),
  class_names: z.array(z.string()),
  attributes: z.array(z.string()),
});

// One row, or none when the experiment does not exist. The results list names every stored
// result (a new save gets a new results_id), the summary columns name the summary: together they
// change whenever anything StudyData holds could.
const VERSION_SQL = `
  select ts.digest, s.fingerprint, s.computed_at::text as computed_at,
    (select coalesce(string_agg(p.run_id::text || ':' || p.results_id::text, ',' order by p.run_id), '')
       from run_predictions p join runs r on r.id = p.run_id
      where r.experiment_id = e.id) as results
  from experiments e
  left join experiment_test_sets ts on ts.experiment_id = e.id
  left join study_summaries s on s.experiment_id = e.id
  where e.id = $1`;

// Every run's class accuracy in one query (never one per run).
const ACCURACY_SQL = `
  select r.id as run_id, r.role, r.temperature, r.seed, a.overall, a.accuracy
  from runs r
  join run_predictions p on p.run_id = r.id
  join run_class_accuracy a on a.run_id = r.id
  where r.experiment_id = $1
  order by r.seed`;

const TEST_SET_SQL = `
  select t.num_classes, t.class_names,
    coalesce((select array_agg(a.name order by a.name) from test_set_attributes a
               where a.experiment_id = t.experiment_id), '{}') as attributes
  from experiment_test_sets t where t.experiment_id = $1`;

export interface StudyCacheOptions {
  /** Experiments kept in memory (least recently used leave first). */
  capacity?: number;
}

/**
 * Per process: StudyData per experiment, reused while the experiment's results are unchanged.
 * Each lookup costs one small query (ids only) to learn the current version; concurrent lookups
 * of one experiment share that query, and a changed version reloads with three queries.
 */
export class StudyCache {
  private readonly entries = new Map<string, StudyData>();
  private readonly versions = new Map<
    string,
    { promise: Promise<string | null>; startedAt: number }
  >();
  private readonly loads = new Map<string, Promise<StudyData>>();
  private readonly capacity: number;

  constructor(
    private readonly db: Database,
    options: StudyCacheOptions = {},
  ) {
    this.capacity = options.capacity ?? 32;
  }

  /**
   * The experiment's study data; null when no experiment has this id. `freshAfter`
   * (performance.now()) refuses to join a version query that started earlier: an answer the
   * response cache stores under a data version must not come from a read older than that version.
   */
  async get(
    experimentId: string,
    freshAfter = Number.NEGATIVE_INFINITY,
  ): Promise<StudyData | null> {
    const key = await this.version(experimentId, freshAfter);
    if (key === null) {
      this.entries.delete(experimentId);
      return null;
    }
    const cached = this.entries.get(experimentId);
    if (cached?.key === key) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.entries.delete(experimentId);
      this.entries.set(experimentId, cached);
      return cached;
    }
    const loadKey = `${experimentId}|${key}`;
    let pending = this.loads.get(loadKey);
    if (!pending) {
      pending = this.load(experimentId, key).finally(() => this.loads.delete(loadKey));
      this.loads.set(loadKey, pending);
    }
    const data = await pending;
    this.entries.delete(experimentId);
    this.entries.set(experimentId, data);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return data;
  }

  private version(experimentId: string, freshAfter: number): Promise<string | null> {
    // Joining a query already in flight can miss only a write that committed while it ran.
    const inFlight = this.versions.get(experimentId);
    if (inFlight && inFlight.startedAt >= freshAfter) return inFlight.promise;
    const entry = {
      startedAt: performance.now(),
      promise: this.db.$client.query(VERSION_SQL, [experimentId]).then((result) => {
        if (result.rows.length === 0) return null;
        const row = versionRowSchema.parse(result.rows[0]);
        return `${row.digest}|${row.fingerprint}|${row.computed_at}|${row.results}`;
      }),
    };
    this.versions.set(experimentId, entry);
    const clear = () => {
      if (this.versions.get(experimentId) === entry) this.versions.delete(experimentId);
    };
    entry.promise.then(clear, clear);
    return entry.promise;
  }

  private async load(experimentId: string, key: string): Promise<StudyData> {
    const [accuracyResult, testSetResult, summary] = await Promise.all([
      this.db.$client.query(ACCURACY_SQL, [experimentId]),
      this.db.$client.query(TEST_SET_SQL, [experimentId]),
      getStudySummary(this.db, experimentId),
    ]);
    const testSet = testSetResult.rows[0] ? testSetRowSchema.parse(testSetResult.rows[0]) : null;
    const byArm = new Map<string, CachedArm>();
    for (const raw of accuracyResult.rows) {
      const row = accuracyRowSchema.parse(raw);
      const armKey: ArmKey = { role: row.role, temperature: row.temperature };
      let arm = byArm.get(armKeyOf(armKey));
      if (!arm) {
        arm = { ...armKey, label: armLabel(armKey), runs: [] };
        byArm.set(armKeyOf(armKey), arm);
      }
      arm.runs.push({
        runId: row.run_id,
        seed: row.seed,
        accuracy: { perClass: Float64Array.from(row.accuracy), overall: row.overall },
      });
    }
    const arms = [...byArm.values()].sort(
      (a, b) =>
        roleOrder[a.role] - roleOrder[b.role] || (a.temperature ?? 0) - (b.temperature ?? 0),
    );
    return new StudyData(
      experimentId,
      key,
      testSet?.num_classes ?? 0,
      testSet?.class_names ?? [],
      testSet?.attributes ?? [],
      arms,
      summary,
    );
  }
}

const caches = new WeakMap<Database, StudyCache>();

/** The process's cache for a database handle (contexts are per request; the cache is not). */
export function studyCacheFor(db: Database): StudyCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new StudyCache(db);
    caches.set(db, cache);
  }
  return cache;
}

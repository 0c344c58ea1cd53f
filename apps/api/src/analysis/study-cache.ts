import { armLabel, type RunRole } from '@kdlens/core';
import {
  type Database,
  readResultsState,
  readRunClassAccuracies,
  readTestSetHeaders,
} from '@kdlens/core/db';
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

export interface StudyCacheOptions {
  /** Experiments kept in memory (least recently used leave first). */
  capacity?: number;
  /**
   * How long a finished version read may answer later lookups, in ms: the response cache's
   * versionTtlMs contract (a write by another process shows at most this much later), so a
   * burst of requests that miss the response cache costs one version query, not one per request.
   * Mutations through this server call invalidate().
   */
  versionTtlMs?: number;
}

/** The response cache's default versionTtlMs (http/response-cache.ts). */
const DEFAULT_VERSION_TTL_MS = 25;

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
  /** The last finished version read per experiment, reused for versionTtlMs. */
  private readonly recent = new Map<string, { key: string | null; startedAt: number }>();
  private readonly loads = new Map<string, Promise<StudyData>>();
  private readonly capacity: number;
  private readonly versionTtlMs: number;
  /** Reads started before this are not reused: a mutation through this server came after. */
  private validFrom = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database,
    options: StudyCacheOptions = {},
  ) {
    this.capacity = options.capacity ?? 32;
    this.versionTtlMs = options.versionTtlMs ?? DEFAULT_VERSION_TTL_MS;
  }

  /** Forgets recent version reads, so the next lookup reads afresh (after a mutation). */
  invalidate(): void {
    this.validFrom = performance.now();
    this.recent.clear();
    this.versions.clear();
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
    const now = performance.now();
    const after = Math.max(freshAfter, this.validFrom);
    const recent = this.recent.get(experimentId);
    if (recent && recent.startedAt >= after && now - recent.startedAt <= this.versionTtlMs) {
      return Promise.resolve(recent.key);
    }
    // Joining a query already in flight can miss only a write that committed while it ran.
    const inFlight = this.versions.get(experimentId);
    if (inFlight && inFlight.startedAt >= after) return inFlight.promise;
    const entry = {
      startedAt: now,
      // The results fingerprint names every stored result and the test set, the summary's
      // fingerprint and time name the summary: together they change whenever anything
      // StudyData holds could.
      promise: readResultsState(this.db, experimentId).then((state) =>
        state === undefined
          ? null
          : `${state.fingerprint}|${state.summary?.fingerprint}|${state.summary?.computedAt}`,
      ),
    };
    this.versions.set(experimentId, entry);
    const clear = () => {
      if (this.versions.get(experimentId) === entry) this.versions.delete(experimentId);
    };
    entry.promise.then((key) => {
      clear();
      const last = this.recent.get(experimentId);
      // A slower, older read finishing late must not replace a newer one.
      if (entry.startedAt >= this.validFrom && entry.startedAt > (last?.startedAt ?? -1)) {
        // Bounded like the entries: experiments nobody asked about lately leave first.
        this.recent.delete(experimentId);
        this.recent.set(experimentId, { key, startedAt: entry.startedAt });
        while (this.recent.size > this.capacity) {
          const oldest = this.recent.keys().next().value;
          if (oldest === undefined) break;
          this.recent.delete(oldest);
        }
      }
    }, clear);
    return entry.promise;
  }

  private async load(experimentId: string, key: string): Promise<StudyData> {
    const [accuracies, [testSet], summary] = await Promise.all([
      readRunClassAccuracies(this.db, experimentId),
      readTestSetHeaders(this.db, [experimentId]),
      getStudySummary(this.db, experimentId),
    ]);
    const byArm = new Map<string, CachedArm>();
    for (const row of accuracies) {
      const armKey: ArmKey = { role: row.role, temperature: row.temperature };
      let arm = byArm.get(armKeyOf(armKey));
      if (!arm) {
        arm = { ...armKey, label: armLabel(armKey), runs: [] };
        byArm.set(armKeyOf(armKey), arm);
      }
      arm.runs.push({
        runId: row.runId,
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
      testSet?.numClasses ?? 0,
      testSet?.classNames ?? [],
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

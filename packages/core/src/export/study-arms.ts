/**
 * The class-bias analysis over stored per-class accuracies, composed exactly as the GraphQL API
 * composes it (apps/api/src/analysis: study-cache.ts StudyData, class-comparison.resolver.ts),
 * so an exported number equals the one the API serves: arms in the order teacher, NDS, distilled
 * by ascending T, each arm's runs by seed, @kdlens/metrics classStatisticMatrix per arm, then
 * compareClassMatrices per pair and significanceCounts per temperature.
 */
import {
  type ArmKey,
  type ClassComparisonResult,
  type ClassCorrection,
  type ClassStatistic,
  classStatisticMatrix,
  compareClassMatrices,
  type SignificanceCounts,
  significanceCounts,
  type TemperatureSignificance,
} from '@kdlens/metrics';
import type { RunClassAccuracies } from '../db/queries/result-tables.ts';
import type { RunRole } from '../domain/run.ts';
import { armLabel } from '../report/arm-label.ts';

export interface StudyArm extends ArmKey {
  label: string;
  /** Runs with results, by seed. */
  runs: RunClassAccuracies[];
}

const roleOrder: Record<RunRole, number> = { teacher: 0, student: 1, distilled: 2 };

export const armKeyOf = (a: ArmKey) => `${a.role}:${a.temperature ?? ''}`;

/** Orders runs as the API's analysis does: by arm (teacher, NDS, T ascending), then by seed. */
export function compareRuns(
  a: { role: RunRole; temperature: number | null; seed: number },
  b: { role: RunRole; temperature: number | null; seed: number },
): number {
  return (
    roleOrder[a.role] - roleOrder[b.role] ||
    (a.temperature ?? 0) - (b.temperature ?? 0) ||
    a.seed - b.seed
  );
}

/** The arms that have results, each with its runs by seed (`rows` as loadRunClassAccuracies). */
export function studyArms(rows: readonly RunClassAccuracies[]): StudyArm[] {
  const byArm = new Map<string, StudyArm>();
  for (const row of [...rows].sort((a, b) => a.seed - b.seed)) {
    const key: ArmKey = { role: row.role, temperature: row.temperature };
    let arm = byArm.get(armKeyOf(key));
    if (!arm) {
      arm = { ...key, label: armLabel(key), runs: [] };
      byArm.set(armKeyOf(key), arm);
    }
    arm.runs.push(row);
  }
  return [...byArm.values()].sort((a, b) => compareRuns({ ...a, seed: 0 }, { ...b, seed: 0 }));
}

/** Each arm's statistic matrix, computed once per arm and statistic. */
export class ArmMatrices {
  private readonly memo = new Map<string, Float64Array>();

  constructor(readonly numClasses: number) {}

  matrix(arm: StudyArm, statistic: ClassStatistic): Float64Array {
    const key = `${armKeyOf(arm)}|${statistic}`;
    let m = this.memo.get(key);
    if (!m) {
      m = classStatisticMatrix(
        arm.runs.map((r) => ({ perClass: r.perClass, overall: r.overall })),
        this.numClasses,
        statistic,
      );
      this.memo.set(key, m);
    }
    return m;
  }

  /** classComparison(a, b, statistic, correction, alpha) of the API, before rounding to null. */
  compare(
    a: StudyArm,
    b: StudyArm,
    statistic: ClassStatistic,
    correction: ClassCorrection,
    alpha: number,
  ): ClassComparisonResult {
    return compareClassMatrices(
      this.matrix(a, statistic),
      a.runs.length,
      this.matrix(b, statistic),
      b.runs.length,
      this.numClasses,
      { alpha, correction },
    );
  }

  /**
   * SC and TC per temperature as the API's significanceSweep computes them (StudyData.sweep):
   * one Welch test per class with correction 'none', then Holm and BH over the same p-values.
   */
  sweep(
    arms: readonly StudyArm[],
    statistic: ClassStatistic,
    alpha: number,
  ): TemperatureSignificance[] {
    const find = (role: RunRole) => arms.find((a) => a.role === role);
    const counts = (a: StudyArm | undefined, b: StudyArm): SignificanceCounts | null =>
      a === undefined
        ? null
        : significanceCounts(
            { matrix: this.matrix(a, statistic), seeds: a.runs.length },
            { matrix: this.matrix(b, statistic), seeds: b.runs.length },
            this.numClasses,
            alpha,
          );
    const teacher = find('teacher');
    const student = find('student');
    return arms
      .filter((a) => a.role === 'distilled')
      .map((arm) => ({
        temperature: arm.temperature as number,
        sc: counts(student, arm),
        tc: counts(teacher, arm),
      }));
  }
}

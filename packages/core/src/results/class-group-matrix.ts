import {
  type ArmKey,
  armClassGroupAccuracy,
  type ClassCorrection,
  type ClassGroupComparison,
  compareClassGroups,
  type IntersectionGroup,
  type WorstCellsOptions,
  worstCells,
} from '@kdlens/metrics';
import type { ClassGroupArm, ClassGroupStudy } from './class-group-study.ts';

export interface ClassGroupMatrixOptions {
  /** Coverage of each cell's interval of the change (default 0.95). */
  confidence?: number;
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Correction across the tested cells of one comparison (default 'holm', as classComparison). */
  correction?: ClassCorrection;
  /** How the worst cells are ranked and how many are listed (worstCells' options). */
  worst?: WorstCellsOptions;
}

/** One arm's accuracy per (class, group), class-major (entry c·G + g), over its seeds. */
export interface ArmClassGroupMatrix extends ArmKey {
  label: string;
  seeds: number[];
  /** Mean over seeds; NaN for an empty cell. */
  mean: Float64Array;
  /** Sample sd over seeds; NaN with one seed or for an empty cell. */
  sd: Float64Array;
}

/** How every cell changed from a baseline (teacher or NDS) to one distilled arm. */
export interface ClassGroupChange {
  baseline: 'teacher' | 'student';
  from: ArmKey & { label: string };
  to: ArmKey & { label: string };
  comparison: ClassGroupComparison;
  /** Cell indices, the largest drop first (worstCells). */
  worst: Int32Array;
}

export interface ClassGroupMatrix {
  numClasses: number;
  classNames: string[];
  attributes: readonly string[];
  groups: readonly IntersectionGroup[];
  /** Test examples per (class, group), class-major. */
  examples: Float64Array;
  arms: ArmClassGroupMatrix[];
  /** Teacher → KD T and NDS → KD T for each T, where both arms have ≥ 2 seeds (a variance). */
  changes: ClassGroupChange[];
}

/**
 * The paper's "for whom" at full resolution: accuracy per (class, group) for each arm
 * (@kdlens/metrics armClassGroupAccuracy), and its change from the teacher and from NDS to each
 * distilled student with a Welch interval and test per cell (compareClassGroups), the cells that
 * lost most listed first (worstCells). O(runs × classes × groups).
 */
export function classGroupMatrix(
  study: ClassGroupStudy,
  options: ClassGroupMatrixOptions = {},
): ClassGroupMatrix {
  const { confidence = 0.95, alpha = 0.05, correction = 'holm' } = options;
  const arms = study.arms.map((arm): ArmClassGroupMatrix => {
    const m = armClassGroupAccuracy(arm.runs.map((r) => r.counts));
    return {
      role: arm.role,
      temperature: arm.temperature,
      label: arm.label,
      seeds: arm.runs.map((r) => r.seed),
      mean: m.mean,
      sd: m.sd,
    };
  });
  const find = (role: 'teacher' | 'student') => study.arms.find((a) => a.role === role);
  const key = (a: ClassGroupArm) => ({ role: a.role, temperature: a.temperature, label: a.label });
  const changes: ClassGroupChange[] = [];
  for (const to of study.arms.filter((a) => a.role === 'distilled' && a.runs.length >= 2)) {
    for (const baseline of ['teacher', 'student'] as const) {
      const from = find(baseline);
      if (!from || from.runs.length < 2) continue;
      const comparison = compareClassGroups(
        from.runs.map((r) => r.counts),
        to.runs.map((r) => r.counts),
        { confidence, alpha, correction },
      );
      changes.push({
        baseline,
        from: key(from),
        to: key(to),
        comparison,
        worst: worstCells(comparison, options.worst ?? {}),
      });
    }
  }
  const first = study.arms[0]?.runs[0]?.counts;
  return {
    numClasses: study.numClasses,
    classNames: study.classNames,
    attributes: study.attributes,
    groups: study.groups,
    examples: first
      ? Float64Array.from(first.positives)
      : new Float64Array(study.numClasses * study.groups.length),
    arms,
    changes,
  };
}

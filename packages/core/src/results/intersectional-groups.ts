import {
  type ArmKey,
  DEFAULT_MIN_GROUP_SIZE,
  type DisparityMethod,
  type Estimate,
  type IntersectionalSliceMetrics,
  type IntersectionGroup,
  intersectionalFairness,
  intersectionalMetrics,
  type SmallGroup,
  type StudyOptions,
} from '@kdlens/metrics';
import { type ClassGroupStudy, GroupAttributesError } from './class-group-study.ts';

export interface IntersectionalGroupsOptions {
  /** The class taken as positive (one-vs-rest); null: the mean over classes, as the study's. */
  positiveClass?: number | null;
  /** Groups with fewer test examples are flagged and left out of DPD/EOD (default DEFAULT_MIN_GROUP_SIZE = 30). */
  minGroupSize?: number;
  /** 'between_groups' (max − min, default) or 'to_overall' (largest gap to the overall rate). */
  method?: DisparityMethod;
  /** The study's bootstrap over seeds, so the intervals match the stored summary's. */
  bootstrap?: StudyOptions['bootstrap'];
}

/** One group for one arm: its rates, mean over the arm's seeds. */
export interface GroupRates {
  group: IntersectionGroup;
  count: number;
  /** count < minGroupSize: shown, but left out of every disparity. */
  small: boolean;
  /** Top-1 accuracy within the group (whatever the positive class). */
  accuracy: number;
  /** P(ŷ = k | G = g), TPR and FPR of class k against the rest; the class mean when k is null. */
  selectionRate: number;
  tpr: number;
  fpr: number;
}

export interface ArmIntersectionalGroups extends ArmKey {
  label: string;
  seeds: number[];
  /** Demographic parity difference and ratio, equalized odds difference and ratio (worst case). */
  dpd: Estimate;
  dpr: Estimate;
  eod: Estimate;
  eor: Estimate;
  groups: GroupRates[];
}

export interface IntersectionalGroups {
  attributes: readonly string[];
  groups: readonly IntersectionGroup[];
  positiveClass: number | null;
  method: DisparityMethod;
  minGroupSize: number;
  /** Groups with at least minGroupSize examples: the ones DPD/EOD compare. */
  comparedGroups: number;
  /** Groups below minGroupSize (empty combinations included) with their example counts. */
  smallGroups: SmallGroup[];
  arms: ArmIntersectionalGroups[];
}

/**
 * Group fairness of the study's attributes taken jointly, per arm: DPD, DPR, EOD and EOR over
 * seeds (@kdlens/metrics intersectionalFairness: one value per seed, mean, sd, bootstrap CI),
 * and per group the rates behind them, mean over seeds. With `positiveClass` k the rates and
 * disparities are those of class k against the rest; null gives the study's number, the mean
 * over classes of each one-vs-rest disparity, and for the rates the mean over classes of each
 * class's one-vs-rest rate (so the selection rate is 1/numClasses in every group; the TPR is the
 * group's balanced accuracy). With one attribute and minGroupSize 1, DPD and EOD equal the
 * stored study summary's exactly. GroupAttributesError for a class outside the study.
 */
export function intersectionalGroups(
  study: ClassGroupStudy,
  options: IntersectionalGroupsOptions = {},
): IntersectionalGroups {
  const {
    positiveClass = null,
    method = 'between_groups',
    minGroupSize = DEFAULT_MIN_GROUP_SIZE,
  } = options;
  if (
    positiveClass !== null &&
    !(Number.isInteger(positiveClass) && positiveClass >= 0 && positiveClass < study.numClasses)
  ) {
    throw new GroupAttributesError(
      `positiveClass: must be a class index in [0, ${study.numClasses}) or null for the mean over classes, got ${positiveClass}`,
    );
  }
  if (!(Number.isInteger(minGroupSize) && minGroupSize >= 1)) {
    throw new GroupAttributesError(
      `minGroupSize: must be an integer ≥ 1 (1 keeps every non-empty group), got ${minGroupSize}`,
    );
  }
  const classes =
    positiveClass === null
      ? Array.from({ length: study.numClasses }, (_, c) => c)
      : [positiveClass];
  const arms = study.arms.map((arm): ArmIntersectionalGroups => {
    const runs = arm.runs.map((r) => r.counts);
    const fairness = intersectionalFairness(runs, {
      method,
      minGroupSize,
      positive: positiveClass ?? 'mean',
      ...(options.bootstrap ? { bootstrap: options.bootstrap } : {}),
    });
    // Per run and class, then mean over classes, then over seeds: each class weighs the same.
    const sums = study.groups.map(() => ({ accuracy: 0, selectionRate: 0, tpr: 0, fpr: 0 }));
    for (const run of runs) {
      for (const k of classes) {
        const metrics = intersectionalMetrics(run, { posLabel: k, minGroupSize });
        metrics.byGroup.forEach((g: IntersectionalSliceMetrics, i) => {
          const s = sums[i] as (typeof sums)[number];
          s.accuracy += g.accuracy;
          s.selectionRate += g.selectionRate;
          s.tpr += g.tpr;
          s.fpr += g.fpr;
        });
      }
    }
    const terms = runs.length * classes.length;
    return {
      role: arm.role,
      temperature: arm.temperature,
      label: arm.label,
      seeds: arm.runs.map((r) => r.seed),
      dpd: fairness.demographicParityDifference,
      dpr: fairness.demographicParityRatio,
      eod: fairness.equalizedOddsDifference,
      eor: fairness.equalizedOddsRatio,
      groups: study.groups.map((group, i) => {
        const count = study.groupCounts[i] as number;
        const s = sums[i] as (typeof sums)[number];
        return {
          group,
          count,
          small: count < minGroupSize,
          accuracy: s.accuracy / terms,
          selectionRate: s.selectionRate / terms,
          tpr: s.tpr / terms,
          fpr: s.fpr / terms,
        };
      }),
    };
  });
  // The same rule as intersectionalDisparity's: compared iff count ≥ minGroupSize.
  const smallGroups = study.groups.flatMap((group, i) => {
    const count = study.groupCounts[i] as number;
    return count < minGroupSize ? [{ group, count }] : [];
  });
  return {
    attributes: study.attributes,
    groups: study.groups,
    positiveClass,
    method,
    minGroupSize,
    comparedGroups: study.groups.length - smallGroups.length,
    smallGroups,
    arms,
  };
}

import { MetricsInputError } from '../input/metrics-input-error.ts';
import type { ClassGroupCounts } from './class-group-counts.ts';
import {
  checkMethod,
  type DisparityMethod,
  disparityDifference,
  disparityRatio,
} from './disparity.ts';
import {
  aggregateDifferences,
  aggregateRatios,
  checkAgg,
  type EqualizedOddsAggregation,
} from './equalized-odds.ts';
import {
  type MinGroupSizeOption,
  minGroupSizeOf,
  type SmallGroup,
  smallGroups,
} from './min-group-size.ts';
import { type GroupedRate, rateOrZero } from './rates.ts';

/**
 * Which one-vs-rest number stands for the whole: class k as the positive label, or the mean
 * over classes. summarizeStudy's choice is the default: class 1 with two classes, else 'mean'.
 */
export type PositiveClass = number | 'mean';

export interface IntersectionalDisparityOptions extends MinGroupSizeOption {
  /** Default 'between_groups', as in fairlearn. */
  method?: DisparityMethod;
  /** Equalized odds' aggregation of TPR and FPR; default 'worst_case', as fairlearn and the paper. */
  agg?: EqualizedOddsAggregation;
  /** See PositiveClass. */
  positive?: PositiveClass;
}

/** A disparity with each class as the positive label (one-vs-rest), and its summaries. */
export interface ClassDisparity {
  /** perClass[k]: the disparity of the labels binarised at class k, k = 0 .. numClasses − 1. */
  perClass: Float64Array;
  /** Mean over classes whose value is not NaN (as oneVsRest); NaN if all are. */
  mean: number;
  /** Max over classes whose value is not NaN; NaN if all are. */
  max: number;
  /** perClass[positive], or mean when positive is 'mean'. */
  value: number;
}

export interface IntersectionalDisparity {
  attributes: readonly string[];
  method: DisparityMethod;
  agg: EqualizedOddsAggregation;
  positive: PositiveClass;
  minGroupSize: number;
  /** Groups with at least minGroupSize rows: the ones every disparity here compares. */
  comparedGroups: number;
  /** Groups below minGroupSize (empty intersections included), with their row counts. */
  smallGroups: SmallGroup[];
  demographicParityDifference: ClassDisparity;
  demographicParityRatio: ClassDisparity;
  equalizedOddsDifference: ClassDisparity;
  equalizedOddsRatio: ClassDisparity;
}

/**
 * fairlearn's demographic_parity_{difference, ratio} and equalized_odds_{difference, ratio}
 * with several sensitive features (`method`, `agg` as there), one-vs-rest for every class k,
 * from one run's class × group counts in O(classes × groups):
 * DPD_k = max_g S_gk − min_g S_gk (between_groups) or max_g |S_gk − S_k| (to_overall), with
 * S_gk = P(ŷ = k | G = g) and S_k = P(ŷ = k); ratios min/max, or min_g of S_gk/S_k folded into
 * [0, 1]; EOD/EOR the same on TPR and FPR, aggregated by `agg`. Then mean and max over classes,
 * skipping NaN (oneVsRest's rule), and `value` (summarizeStudy's number by default).
 *
 * Small groups: only groups with count ≥ minGroupSize enter the max, min and |·| above; the
 * overall rates S_k (to_overall's reference) stay over all rows, small groups included. This is
 * fairlearn's MetricFrame.difference()/ratio() applied to `by_group` restricted to those groups.
 * With one such group, differences are 0 and ratios 1 (or NaN at 0/0), as fairlearn gives for
 * one group; with none, every value is NaN. Empty intersections are never compared (fairlearn's
 * NaN rows, which its min and max skip), so minGroupSize 1 is fairlearn exactly; with a single
 * attribute it reproduces demographicParityDifference & co. bit for bit.
 */
export function intersectionalDisparity(
  counts: ClassGroupCounts,
  options: IntersectionalDisparityOptions = {},
): IntersectionalDisparity {
  const { method = 'between_groups', agg = 'worst_case' } = options;
  checkMethod(method);
  checkAgg(agg);
  const minGroupSize = minGroupSizeOf(options);
  const { numClasses, groups } = counts;
  const positive = options.positive ?? (numClasses === 2 ? 1 : 'mean');
  if (
    positive !== 'mean' &&
    !(Number.isInteger(positive) && positive >= 0 && positive < numClasses)
  ) {
    throw new MetricsInputError(
      'positive',
      `must be 'mean' or a class index in [0, ${numClasses}), got ${positive}`,
    );
  }
  const numGroups = groups.length;
  const compared: number[] = [];
  let n = 0;
  for (let g = 0; g < numGroups; g++) {
    const ng = counts.counts[g] as number;
    n += ng;
    if (ng >= minGroupSize) compared.push(g);
  }

  const k = compared.length;
  const sel = new Float64Array(k);
  const tpr = new Float64Array(k);
  const fpr = new Float64Array(k);
  const dpd = new Float64Array(numClasses);
  const dpr = new Float64Array(numClasses);
  const eod = new Float64Array(numClasses);
  const eor = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    if (k === 0) {
      dpd[c] = dpr[c] = eod[c] = eor[c] = Number.NaN;
      continue;
    }
    const at = c * numGroups;
    let pos = 0;
    let pred = 0;
    let tp = 0;
    for (let g = 0; g < numGroups; g++) {
      pos += counts.positives[at + g] as number;
      pred += counts.predicted[at + g] as number;
      tp += counts.truePositives[at + g] as number;
    }
    // The same operations as ratesByGroup, so a single attribute gives the same bits.
    for (let j = 0; j < k; j++) {
      const g = compared[j] as number;
      const ng = counts.counts[g] as number;
      const pg = counts.positives[at + g] as number;
      const predg = counts.predicted[at + g] as number;
      const tpg = counts.truePositives[at + g] as number;
      sel[j] = predg / ng;
      tpr[j] = rateOrZero(tpg, pg);
      fpr[j] = rateOrZero(predg - tpg, ng - pg);
    }
    const selection: GroupedRate = { byGroup: sel, overall: pred / n };
    const truePositive: GroupedRate = { byGroup: tpr, overall: rateOrZero(tp, pos) };
    const falsePositive: GroupedRate = { byGroup: fpr, overall: rateOrZero(pred - tp, n - pos) };
    dpd[c] = disparityDifference(selection, method);
    dpr[c] = disparityRatio(selection, method);
    eod[c] = aggregateDifferences(
      disparityDifference(truePositive, method),
      disparityDifference(falsePositive, method),
      agg,
    );
    eor[c] = aggregateRatios(
      disparityRatio(truePositive, method),
      disparityRatio(falsePositive, method),
      agg,
    );
  }
  return {
    attributes: counts.attributes,
    method,
    agg,
    positive,
    minGroupSize,
    comparedGroups: k,
    smallGroups: smallGroups(groups, counts.counts, minGroupSize),
    demographicParityDifference: summarise(dpd, positive),
    demographicParityRatio: summarise(dpr, positive),
    equalizedOddsDifference: summarise(eod, positive),
    equalizedOddsRatio: summarise(eor, positive),
  };
}

/** Mean and max over the non-NaN classes, summed in class order as oneVsRest sums them. */
function summarise(perClass: Float64Array, positive: PositiveClass): ClassDisparity {
  let sum = 0;
  let counted = 0;
  let max = Number.NaN;
  for (const v of perClass) {
    if (!Number.isNaN(v)) {
      sum += v;
      counted++;
      if (!(v <= max)) max = v;
    }
  }
  const mean = counted === 0 ? Number.NaN : sum / counted;
  return {
    perClass,
    mean,
    max,
    value: positive === 'mean' ? mean : (perClass[positive] as number),
  };
}

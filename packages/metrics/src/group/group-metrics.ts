import type { Labels, Sensitive } from '../input/validate.ts';
import { confusionByGroup } from './confusion-by-group.ts';
import type { GroupIndex } from './group-index.ts';
import { type PosLabelOption, ratesByGroup } from './rates.ts';

/** The metrics of one slice of the rows (all rows, or one group). */
export interface SliceMetrics {
  /** Rows in the slice (fairlearn's `count`). */
  count: number;
  /** Share of rows with yPred = yTrue, on the raw labels (sklearn `accuracy_score`). */
  accuracy: number;
  /** P(ŷ = pos) (fairlearn `selection_rate`). */
  selectionRate: number;
  /** P(ŷ = pos | Y = pos), 0 when the slice has no positives (fairlearn `true_positive_rate`). */
  tpr: number;
  /** P(ŷ = pos | Y ≠ pos), 0 when the slice has no negatives (fairlearn `false_positive_rate`). */
  fpr: number;
}

export interface GroupSliceMetrics extends SliceMetrics {
  group: string | number;
}

export interface GroupMetrics {
  overall: SliceMetrics;
  /** One entry per group, ordered like groupIndex (pandas groupby order). */
  byGroup: GroupSliceMetrics[];
}

/**
 * fairlearn `MetricFrame(metrics={count, accuracy_score, selection_rate, true_positive_rate,
 * false_positive_rate}, ...)`: `.overall` and `.by_group`, from one pass over the rows.
 * selectionRate, tpr and fpr binarise at posLabel (default 1); accuracy compares raw labels,
 * so with multi-class labels it is top-1 accuracy, not one-vs-rest accuracy.
 */
export function groupMetrics(
  yTrue: Labels,
  yPred: Labels,
  sensitive: Sensitive | GroupIndex,
  options: PosLabelOption = {},
): GroupMetrics {
  const { posLabel = 1 } = options;
  const confusion = confusionByGroup(yTrue, yPred, sensitive, posLabel);
  const rates = ratesByGroup(confusion);
  const { groups, counts } = confusion;
  return {
    overall: {
      count: yTrue.length,
      accuracy: rates.accuracy.overall,
      selectionRate: rates.selectionRate.overall,
      tpr: rates.truePositiveRate.overall,
      fpr: rates.falsePositiveRate.overall,
    },
    byGroup: groups.map((group, g) => ({
      group,
      count: counts[g] as number,
      accuracy: rates.accuracy.byGroup[g] as number,
      selectionRate: rates.selectionRate.byGroup[g] as number,
      tpr: rates.truePositiveRate.byGroup[g] as number,
      fpr: rates.falsePositiveRate.byGroup[g] as number,
    })),
  };
}

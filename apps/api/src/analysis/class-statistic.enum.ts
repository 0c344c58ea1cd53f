import type { ClassCorrection, ClassStatistic } from '@kdlens/metrics';
import { registerEnumType } from 'type-graphql';

// Values mirror @kdlens/metrics exactly, so an argument passes straight through.
export const ClassStatisticEnum: { [K in ClassStatistic]: K } = {
  normalized: 'normalized',
  difference: 'difference',
  raw: 'raw',
};
registerEnumType(ClassStatisticEnum, {
  name: 'ClassStatistic',
  description:
    "Per-class statistic of the class-bias test: normalized = class accuracy / overall accuracy (the paper's), difference = class − overall, raw = class accuracy.",
});

export const CorrectionEnum: { [K in ClassCorrection]: K } = {
  none: 'none',
  holm: 'holm',
  bh: 'bh',
};
registerEnumType(CorrectionEnum, {
  name: 'Correction',
  description:
    'p-value adjustment across classes: none, holm (Holm–Bonferroni), bh (Benjamini–Hochberg).',
});

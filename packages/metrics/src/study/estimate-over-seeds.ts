import { bootstrapCI } from '../stats/bootstrap.ts';
import { mean, sampleVariance } from '../stats/sample-moments.ts';
import type { Estimate, StudyOptions } from './study-types.ts';

/**
 * A quantity measured once per seed as the study reports it: mean, sample sd (ddof 1) and the
 * percentile bootstrap CI of the mean over seeds (Efron & Tibshirani 1993, §13.3; `bootstrapCI`
 * with the study's iterations, confidence and seed). One seed: sd NaN and the CI collapses to
 * the value; a non-finite value (e.g. a NaN ratio): CI NaN.
 */
export function estimateOverSeeds(
  values: number[],
  bootstrap: StudyOptions['bootstrap'] = {},
): Estimate {
  const m = mean(values);
  const finite = values.every(Number.isFinite);
  const ci =
    finite && values.length > 1
      ? bootstrapCI(values, bootstrap)
      : {
          lower: values.length === 1 ? m : Number.NaN,
          upper: values.length === 1 ? m : Number.NaN,
        };
  return {
    mean: m,
    sd: values.length > 1 ? Math.sqrt(sampleVariance(values, m)) : Number.NaN,
    lower: ci.lower,
    upper: ci.upper,
    values,
  };
}

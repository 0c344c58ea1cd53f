import type { ClassStatistic } from '../class-bias/compare-classes.ts';
import type { Labels, Sensitive } from '../input/validate.ts';

/** The arms of the study: teacher, non-distilled student (NDS, the baseline), distilled at T. */
export type ArmRole = 'teacher' | 'student' | 'distilled';

/** Identifies an arm: the temperature is set exactly when the role is 'distilled'. */
export interface ArmKey {
  role: ArmRole;
  temperature: number | null;
}

/** One trained model's output on the study's test set; examples line up with `yTrue`. */
export interface StudyRun extends ArmKey {
  seed: number;
  yPred: Labels;
  /** n × numClasses predicted probabilities, row-major; needed for the Lipschitz measure. */
  probs?: ArrayLike<number>;
}

export interface StudyOptions {
  /** Significance level of the class-bias test (default 0.05, as in the paper). */
  alpha?: number;
  /** Per-class statistic of the class-bias test (default 'normalized', the paper's). */
  statistic?: ClassStatistic;
  /** The positive label for group fairness when numClasses is 2 (default 1). */
  posLabel?: number;
  /** Percentile bootstrap over seeds for the intervals (defaults 2000, 0.95, seed 0). */
  bootstrap?: { iterations?: number; confidence?: number; seed?: number };
  /** Individual fairness: k of the consistency score (default 5); Lipschitz pairs and distance. */
  individual?: {
    k?: number;
    pairs?: 'all' | { sample: number; seed: number };
    distance?: 'euclidean' | 'cosine';
  };
}

export interface StudyInput {
  numClasses: number;
  /** True labels of the test set, shared by every run. */
  yTrue: Labels;
  runs: readonly StudyRun[];
  /** Sensitive attributes by name, one value per test example (e.g. { Male: [...] }). */
  sensitive?: Readonly<Record<string, Sensitive>>;
  /** Features for individual fairness, n × d row-major (input or a fixed embedding space). */
  features?: { values: ArrayLike<number>; d: number };
  /**
   * The features' k nearest neighbours (n × k, as `nearestNeighbors(values, d, k)` returns them),
   * when the caller already has them: they depend on the test set alone, not on the runs, so a
   * caller that summarises the same study again after each run can compute them once. Used only
   * when `k` equals the summary's neighbour count.
   */
  neighbours?: { k: number; indices: Int32Array };
  options?: StudyOptions;
}

/** A quantity measured once per seed: its mean, sample sd and a bootstrap CI of the mean. */
export interface Estimate {
  mean: number;
  /** Sample standard deviation over seeds (ddof 1); NaN with a single seed. */
  sd: number;
  lower: number;
  upper: number;
  /** One value per seed, in the order of `seeds`. */
  values: number[];
}

export interface ArmSummary extends ArmKey {
  seeds: number[];
  accuracy: Estimate;
}

/** Classes with a significant change in the class-bias test, raw and after Holm and BH. */
export interface SignificanceCounts {
  raw: number;
  holm: number;
  bh: number;
  /** Classes that could be tested (defined statistic in every run of both arms). */
  tested: number;
}

/** The paper's Table 1 row: SC = NDS vs distilled at T, TC = teacher vs distilled at T. */
export interface TemperatureSignificance {
  temperature: number;
  /** Null when the NDS or the distilled arm has fewer than 2 seeds. */
  sc: SignificanceCounts | null;
  /** Null when the teacher or the distilled arm has fewer than 2 seeds. */
  tc: SignificanceCounts | null;
}

export interface ArmGroupFairness extends ArmKey {
  /** Demographic parity difference (one-vs-rest mean over classes when multi-class). */
  dpd: Estimate;
  /** Equalized odds difference, worst case (one-vs-rest mean over classes when multi-class). */
  eod: Estimate;
}

export interface AttributeFairness {
  attribute: string;
  groups: (string | number)[];
  arms: ArmGroupFairness[];
}

export interface ArmIndividualFairness extends ArmKey {
  /** Mean ‖f(x) − f(x′)‖₁ / d(x, x′) over pairs (lower is fairer); null without probabilities. */
  lipschitz: Estimate | null;
  /** kNN consistency (higher is fairer). */
  consistency: Estimate;
}

/** The structure behind the paper's tables; the API, CLI and web share it. */
export interface StudySummary {
  numClasses: number;
  examples: number;
  alpha: number;
  statistic: ClassStatistic;
  /** Teacher, NDS, then distilled arms by ascending temperature. */
  arms: ArmSummary[];
  significance: TemperatureSignificance[];
  groupFairness: AttributeFairness[];
  individualFairness: ArmIndividualFairness[] | null;
}

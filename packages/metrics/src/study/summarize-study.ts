import { classStatisticMatrix } from '../class-bias/compare-classes.ts';
import { type RunAccuracy, runAccuracy } from '../class-bias/run-accuracy.ts';
import { significanceCounts } from '../class-bias/significance-counts.ts';
import { demographicParityDifference } from '../group/demographic-parity.ts';
import { equalizedOddsDifference } from '../group/equalized-odds.ts';
import { type GroupIndex, groupIndex } from '../group/group-index.ts';
import { oneVsRest } from '../group/one-vs-rest.ts';
import { lipschitzFairness } from '../individual/lipschitz.ts';
import { nearestNeighbors } from '../individual/nearest-neighbors.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { checkNumClasses, checkSameLength, type Labels } from '../input/validate.ts';
import { estimateOverSeeds } from './estimate-over-seeds.ts';
import { labelConsistency } from './label-consistency.ts';
import type {
  ArmKey,
  ArmSummary,
  AttributeFairness,
  Estimate,
  SignificanceCounts,
  StudyInput,
  StudyRun,
  StudySummary,
  TemperatureSignificance,
} from './study-types.ts';

interface Arm extends ArmKey {
  /** Runs of this arm sorted by seed, with their indices in `input.runs` for error messages. */
  runs: { run: StudyRun; index: number }[];
}

/**
 * Everything behind the paper's tables for one study, from per-run predictions:
 * - per arm: accuracy mean ± sd over seeds (Table 1's accuracy column);
 * - per temperature T: SC (NDS vs distilled at T) and TC (teacher vs distilled at T), the number
 *   of classes whose per-class statistic changes significantly (Welch, p ≤ alpha), raw and after
 *   Holm and Benjamini–Hochberg (Table 1), via the same test as `compareClasses`;
 * - per sensitive attribute and arm: DPD and EOD (worst case), one-vs-rest mean over classes when
 *   multi-class, mean ± sd and a bootstrap CI over seeds (Table 2);
 * - per arm, when features are given: the Lipschitz individual-fairness measure (Table 4; needs
 *   probabilities) and kNN consistency.
 *
 * Each run's accuracies, each attribute's grouping and the kNN lists are computed once, so the
 * cost is O(runs × examples) plus O(temperatures × classes × seeds) for the tests.
 */
export function summarizeStudy(input: StudyInput): StudySummary {
  const { numClasses, yTrue, options = {} } = input;
  checkNumClasses(numClasses);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new MetricsInputError('options.alpha', `must be in [0, 1], got ${alpha}`);
  }
  const statistic = options.statistic ?? 'normalized';
  const arms = groupArms(input.runs);
  const accuracies = new Map<StudyRun, RunAccuracy>();
  input.runs.forEach((run, i) => {
    accuracies.set(run, runAccuracy({ yTrue, yPred: run.yPred }, numClasses, `runs[${i}]`));
  });
  const bootstrap = options.bootstrap ?? {};
  const estimate = (values: number[]): Estimate => estimateOverSeeds(values, bootstrap);

  const armSummaries: ArmSummary[] = arms.map((arm) => ({
    role: arm.role,
    temperature: arm.temperature,
    seeds: arm.runs.map((r) => r.run.seed),
    accuracy: estimate(arm.runs.map((r) => accuracies.get(r.run)?.overall ?? Number.NaN)),
  }));

  // Class-bias test: statistic matrices per arm, computed once and reused for SC and TC.
  const matrices = new Map<Arm, Float64Array>();
  const matrixOf = (arm: Arm) => {
    let m = matrices.get(arm);
    if (!m) {
      const acc = arm.runs.map((r) => accuracies.get(r.run) as RunAccuracy);
      m = classStatisticMatrix(acc, numClasses, statistic);
      matrices.set(arm, m);
    }
    return m;
  };
  const counts = (a: Arm | undefined, b: Arm): SignificanceCounts | null =>
    a === undefined
      ? null
      : significanceCounts(
          { matrix: matrixOf(a), seeds: a.runs.length },
          { matrix: matrixOf(b), seeds: b.runs.length },
          numClasses,
          alpha,
        );
  const teacher = arms.find((a) => a.role === 'teacher');
  const student = arms.find((a) => a.role === 'student');
  const significance: TemperatureSignificance[] = arms
    .filter((a) => a.role === 'distilled')
    .map((arm) => ({
      temperature: arm.temperature as number,
      sc: counts(student, arm),
      tc: counts(teacher, arm),
    }));

  const groupFairness = Object.entries(input.sensitive ?? {}).map(
    ([attribute, values]): AttributeFairness => {
      checkSameLength('yTrue', yTrue, `sensitive.${attribute}`, values);
      const index = groupIndex(values, `sensitive.${attribute}`);
      return {
        attribute,
        groups: index.groups,
        arms: arms.map((arm) => ({
          role: arm.role,
          temperature: arm.temperature,
          dpd: estimate(
            arm.runs.map((r) =>
              fairness('dpd', yTrue, r.run.yPred, index, numClasses, options.posLabel),
            ),
          ),
          eod: estimate(
            arm.runs.map((r) =>
              fairness('eod', yTrue, r.run.yPred, index, numClasses, options.posLabel),
            ),
          ),
        })),
      };
    },
  );

  let individualFairness: StudySummary['individualFairness'] = null;
  if (input.features) {
    const { values, d } = input.features;
    const k = options.individual?.k ?? 5;
    const given = input.neighbours;
    const neighbours =
      given !== undefined && given.k === k && given.indices.length === input.yTrue.length * k
        ? given.indices
        : nearestNeighbors(values, d, k);
    individualFairness = arms.map((arm) => ({
      role: arm.role,
      temperature: arm.temperature,
      consistency: estimate(arm.runs.map((r) => labelConsistency(neighbours, k, r.run.yPred))),
      lipschitz: arm.runs.every((r) => r.run.probs)
        ? estimate(
            arm.runs.map(
              (r) =>
                lipschitzFairness(r.run.probs ?? [], numClasses, values, d, {
                  pairs: options.individual?.pairs ?? { sample: 20_000, seed: 0 },
                  distance: options.individual?.distance ?? 'euclidean',
                }).value,
            ),
          )
        : null,
    }));
  }

  return {
    numClasses,
    examples: yTrue.length,
    alpha,
    statistic,
    arms: armSummaries,
    significance,
    groupFairness,
    individualFairness,
  };
}

const roleOrder = { teacher: 0, student: 1, distilled: 2 } as const;

/** Groups runs into arms (teacher, NDS, distilled by T), checking roles, T and seeds. */
function groupArms(runs: readonly StudyRun[]): Arm[] {
  if (runs.length === 0) throw new MetricsInputError('runs', 'is empty');
  const byKey = new Map<string, Arm>();
  runs.forEach((run, index) => {
    if (!(run.role in roleOrder)) {
      throw new MetricsInputError(
        `runs[${index}].role`,
        `must be teacher, student or distilled, got ${run.role}`,
      );
    }
    const distilled = run.role === 'distilled';
    const t = run.temperature;
    if (distilled !== (t !== null) || (t !== null && !(t > 0))) {
      throw new MetricsInputError(
        `runs[${index}].temperature`,
        distilled
          ? `a distilled run needs a temperature > 0, got ${t}`
          : `only distilled runs have a temperature, got ${t}`,
      );
    }
    const key = `${run.role}:${t}`;
    let arm = byKey.get(key);
    if (!arm) {
      arm = { role: run.role, temperature: t, runs: [] };
      byKey.set(key, arm);
    }
    const twin = arm.runs.find((r) => r.run.seed === run.seed);
    if (twin) {
      throw new MetricsInputError(
        `runs[${index}].seed`,
        `seed ${run.seed} of this arm already appears as runs[${twin.index}]`,
      );
    }
    arm.runs.push({ run, index });
  });
  const arms = [...byKey.values()];
  for (const arm of arms) arm.runs.sort((a, b) => a.run.seed - b.run.seed);
  return arms.sort(
    (a, b) => roleOrder[a.role] - roleOrder[b.role] || (a.temperature ?? 0) - (b.temperature ?? 0),
  );
}

/** DPD or EOD of one run; one-vs-rest mean over classes when multi-class (the paper's). */
function fairness(
  metric: 'dpd' | 'eod',
  yTrue: Labels,
  yPred: Labels,
  index: GroupIndex,
  numClasses: number,
  posLabel = 1,
): number {
  const binary = metric === 'dpd' ? demographicParityDifference : equalizedOddsDifference;
  if (numClasses === 2) return binary(yTrue, yPred, index, { posLabel });
  return oneVsRest(binary, yTrue, yPred, index, numClasses).mean;
}

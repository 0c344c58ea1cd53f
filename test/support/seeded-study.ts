import type { ImportedRun, ImportedStudy } from '@kdlens/core';
import { createRandom } from '@kdlens/metrics';

export interface ArmPlan {
  role: 'teacher' | 'student' | 'distilled';
  temperature: number | null;
  architecture: string;
  /** Error rate of each class (cycled when shorter than the class count). */
  errorByClass: readonly number[];
  /** Extra error rate on examples of the second group of the sensitive attribute. */
  groupPenalty: number;
}

export interface StudyPlan {
  classNames: string[];
  examplesPerClass: number;
  seeds: number[];
  arms: ArmPlan[];
  /** Attribute name → group names; example i gets group (⌊i / numClasses⌋ mod groups). */
  sensitive: Record<string, string[]>;
}

/**
 * A study with KNOWN predictions, to import with writeImportedStudy: example i has label
 * i mod numClasses; a run gets example i wrong with its arm's error rate for that class
 * (plus the group penalty), drawn from a generator seeded by arm and seed, and then predicts
 * the next class. The same plan always gives the same predictions.
 */
export function seededStudy(plan: StudyPlan): ImportedStudy {
  const numClasses = plan.classNames.length;
  const n = numClasses * plan.examplesPerClass;
  const labels = Int32Array.from({ length: n }, (_, i) => i % numClasses);
  const sensitive: Record<string, string[]> = {};
  for (const [attribute, groups] of Object.entries(plan.sensitive)) {
    sensitive[attribute] = Array.from(
      { length: n },
      (_, i) => groups[Math.floor(i / numClasses) % groups.length] ?? '',
    );
  }
  const firstAttribute = Object.values(sensitive)[0];
  const secondGroup = Object.values(plan.sensitive)[0]?.[1];
  const runs: ImportedRun[] = [];
  plan.arms.forEach((arm, armIndex) => {
    for (const seed of plan.seeds) {
      const random = createRandom(1000 * (armIndex + 1) + seed);
      const predicted = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const y = labels[i] ?? 0;
        const base = arm.errorByClass[y % arm.errorByClass.length] ?? 0;
        const penalty = firstAttribute?.[i] === secondGroup ? arm.groupPenalty : 0;
        predicted[i] = random.next() < base + penalty ? (y + 1) % numClasses : y;
      }
      runs.push({
        file: `${arm.role}-${arm.temperature ?? ''}-${seed}.csv`,
        role: arm.role,
        temperature: arm.temperature,
        seed,
        architecture: arm.architecture,
        predicted,
        probs: null,
      });
    }
  });
  return {
    testSet: {
      ids: Array.from({ length: n }, (_, i) => `x${i}`),
      labels,
      numClasses,
      classNames: plan.classNames,
      sensitive,
    },
    runs,
  };
}

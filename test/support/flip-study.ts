import type { ImportedStudy } from '@kdlens/core';

// A binary study small enough to compute by hand: ten examples, labels 0 1 0 1 …, attribute g
// with examples 0–4 in group a and 5–9 in group b. Each run (one seed) predicts the label except
// at its flipped indices. Group a holds labels 0 1 0 1 0 and b 1 0 1 0 1, so a run with no flips
// selects (predicts 1 for) 2/5 of a and 3/5 of b: DPD 0.2; its accuracy is 1 − flips / 10.
export const flipLabels = Int32Array.from({ length: 10 }, (_, i) => i % 2);
const groups = Array.from(flipLabels, (_, i) => (i < 5 ? 'a' : 'b'));

export interface FlipRun {
  role: 'teacher' | 'student' | 'distilled';
  temperature: number | null;
  flips: number[];
}

/** The study to import with writeImportedStudy; `sensitive` adds the attribute g. */
export function flipStudy(runs: FlipRun[], sensitive: boolean): ImportedStudy {
  return {
    testSet: {
      ids: Array.from(flipLabels, (_, i) => `x${i}`),
      labels: flipLabels,
      numClasses: 2,
      classNames: ['no', 'yes'],
      sensitive: sensitive ? { g: groups } : {},
    },
    runs: runs.map((r) => ({
      file: `${r.role}-${r.temperature ?? ''}.csv`,
      role: r.role,
      temperature: r.temperature,
      seed: 0,
      architecture: 'mlp',
      predicted: flipLabels.map((y, i) => (r.flips.includes(i) ? 1 - y : y)),
      probs: null,
    })),
  };
}

/**
 * The runs of the studies both list tests use, with their hand-computed headline numbers:
 * alpha: teacher no flips → 1.0, DPD 0.2. NDS flips 0 (a selects 3/5) → 0.9, DPD 0. T=2 flips 1
 *   and 2 (a: −1 +1) → 0.8, DPD 0.2. T=4 flips 9 (b selects 2/5) → 0.9, DPD 0. Best KD 0.9 at
 *   T=4; max DPD 0.2.
 * beta: teacher flips 0, 2, 4 (a selects 5/5) → 0.7, DPD 1.0 − 0.6 = 0.4. NDS flips 5, 6, 7
 *   (b: −1 +1 −1 → 2/5) → 0.7, DPD 0. T=1 no flips → 1.0, DPD 0.2. T=4 flips 5 and 6 → 0.8,
 *   DPD 0.2. Best KD 1.0 at T=1; max DPD 0.4.
 * delta: teacher flips 0–3 → 0.6; NDS no flips → 1.0; no distilled arm, no attribute.
 */
export const flipStudies = {
  alpha: flipStudy(
    [
      { role: 'teacher', temperature: null, flips: [] },
      { role: 'student', temperature: null, flips: [0] },
      { role: 'distilled', temperature: 2, flips: [1, 2] },
      { role: 'distilled', temperature: 4, flips: [9] },
    ],
    true,
  ),
  beta: flipStudy(
    [
      { role: 'teacher', temperature: null, flips: [0, 2, 4] },
      { role: 'student', temperature: null, flips: [5, 6, 7] },
      { role: 'distilled', temperature: 1, flips: [] },
      { role: 'distilled', temperature: 4, flips: [5, 6] },
    ],
    true,
  ),
  delta: flipStudy(
    [
      { role: 'teacher', temperature: null, flips: [0, 1, 2, 3] },
      { role: 'student', temperature: null, flips: [] },
    ],
    false,
  ),
};

// Baselines for the benchmarks: the straightforward way to get the same numbers.
import { compareClasses } from '../src/class-bias/compare-classes.ts';
import type { StudyRun } from '../src/study/study-types.ts';

/**
 * SC and TC counts (raw, Holm, BH) per temperature through the public `compareClasses`, one call
 * per comparison and correction: every call recounts each run's accuracies from the predictions.
 */
export function significanceByCompareClasses(
  yTrue: Int32Array,
  runs: StudyRun[],
  numClasses: number,
  temperatures: number[],
): number[] {
  const arm = (role: string, t: number | null) =>
    runs
      .filter((r) => r.role === role && r.temperature === t)
      .map((r) => ({ yTrue, yPred: r.yPred }));
  const counts: number[] = [];
  for (const t of temperatures) {
    for (const other of [arm('student', null), arm('teacher', null)]) {
      for (const correction of ['none', 'holm', 'bh'] as const) {
        counts.push(
          compareClasses(other, arm('distilled', t), { numClasses, correction }).significantCount,
        );
      }
    }
  }
  return counts;
}

/** DPD and EOD with a Map of per-group records keyed by the group's string. */
export function naiveDpdEod(
  yTrue: Int32Array,
  yPred: Int32Array,
  groups: string[],
): [number, number] {
  const byGroup = new Map<
    string,
    { n: number; sel: number; pos: number; tp: number; neg: number; fp: number }
  >();
  for (let i = 0; i < yTrue.length; i++) {
    const key = groups[i] as string;
    const g = byGroup.get(key) ?? { n: 0, sel: 0, pos: 0, tp: 0, neg: 0, fp: 0 };
    g.n++;
    if (yPred[i] === 1) g.sel++;
    if (yTrue[i] === 1) {
      g.pos++;
      if (yPred[i] === 1) g.tp++;
    } else {
      g.neg++;
      if (yPred[i] === 1) g.fp++;
    }
    byGroup.set(key, g);
  }
  const rows = [...byGroup.values()];
  const spread = (f: (g: (typeof rows)[number]) => number) =>
    Math.max(...rows.map(f)) - Math.min(...rows.map(f));
  return [
    spread((g) => g.sel / g.n),
    Math.max(
      spread((g) => (g.pos ? g.tp / g.pos : 0)),
      spread((g) => (g.neg ? g.fp / g.neg : 0)),
    ),
  ];
}

/** Consistency with a full distance row per example, sorted (O(n² log n), O(n) memory). */
export function naiveConsistency(x: Float64Array, d: number, yPred: Int32Array, k: number): number {
  const n = yPred.length;
  let total = 0;
  const order = new Array<number>(n);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = (x[i * d + t] as number) - (x[j * d + t] as number);
        s += diff * diff;
      }
      dist[j] = s;
      order[j] = j;
    }
    order.sort((a, b) => (dist[a] as number) - (dist[b] as number) || a - b);
    let sum = 0;
    for (let m = 0; m < k; m++) sum += yPred[order[m] as number] as number;
    total += Math.abs((yPred[i] as number) - sum / k);
  }
  return 1 - total / n;
}

/**
 * Class × group comparisons the straightforward way: for every group, the group's rows copied
 * out of every run, then the public `compareClasses` (raw accuracy) per comparison, which
 * recounts each run's per-class accuracy every time.
 */
export function classGroupByCompareClasses(
  yTrue: Int32Array,
  runs: StudyRun[],
  groupOf: Int32Array,
  numGroups: number,
  numClasses: number,
  temperatures: number[],
): number[] {
  const deltas: number[] = [];
  for (let g = 0; g < numGroups; g++) {
    const rows: number[] = [];
    for (let i = 0; i < groupOf.length; i++) if (groupOf[i] === g) rows.push(i);
    const pick = (labels: ArrayLike<number>) => Int32Array.from(rows, (i) => labels[i] as number);
    const yTrueG = pick(yTrue);
    const arm = (role: string, t: number | null) =>
      runs
        .filter((r) => r.role === role && r.temperature === t)
        .map((r) => ({ yTrue: yTrueG, yPred: pick(r.yPred) }));
    for (const t of temperatures) {
      for (const other of [arm('student', null), arm('teacher', null)]) {
        const result = compareClasses(other, arm('distilled', t), { numClasses, statistic: 'raw' });
        deltas.push(result.perClass[0]?.delta ?? Number.NaN);
      }
    }
  }
  return deltas;
}

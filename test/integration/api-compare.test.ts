import { createHash } from 'node:crypto';
import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger, type ImportedStudy, writeImportedStudy } from '@kdlens/core';
import { recordTestSetFeatures } from '@kdlens/core/results';
import {
  createRandom,
  type Estimate,
  type StudyRun,
  studentTTwoSidedP,
  summarizeStudy,
} from '@kdlens/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/** The attached features' digest as recordTestSetFeatures defines it: sha256 of [d] then the LE bytes. */
function sha256Of(values: Float32Array): string {
  return createHash('sha256')
    .update(JSON.stringify([2]))
    .update(Buffer.from(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
}

// Two 4-class studies of the same 200 test examples (one colour attribute), as two student
// architectures would give: teacher, NDS and KD at two temperatures each, three seeds, sharing
// KD T=4 only. A third study is on other labels (a different test set). Every expected number
// is computed here from the arrays written: per-class and overall accuracy by counting, Welch's
// t and df by their formulas, Holm by hand; the stored summaries' tables by summarizeStudy.
const N = 200;
const C = 4;
const classNames = ['cat', 'dog', 'fox', 'owl'];
const labels = Int32Array.from({ length: N }, (_, i) => (i * 3) % C);
const colour = Array.from({ length: N }, (_, i) => (i % 5 < 2 ? 'red' : 'blue'));
const seeds = [0, 1, 2];

type Skill = readonly [number, number, number, number];
interface ArmSpec {
  role: 'teacher' | 'student' | 'distilled';
  temperature: number | null;
  skill: Skill;
}

function runsOf(arms: readonly ArmSpec[], salt: number, yTrue: Int32Array): StudyRun[] {
  return arms.flatMap((arm, a) =>
    seeds.map((seed) => {
      const rnd = createRandom(1000 * salt + 100 * a + seed);
      return {
        role: arm.role,
        temperature: arm.temperature,
        seed,
        yPred: Int32Array.from(yTrue, (y) =>
          rnd.next() < (arm.skill[y] ?? 0) ? y : (y + 1 + rnd.int(3)) % C,
        ),
      };
    }),
  );
}

const armsA: ArmSpec[] = [
  { role: 'teacher', temperature: null, skill: [0.95, 0.9, 0.9, 0.85] },
  { role: 'student', temperature: null, skill: [0.8, 0.55, 0.85, 0.6] },
  { role: 'distilled', temperature: 2, skill: [0.9, 0.8, 0.5, 0.7] },
  { role: 'distilled', temperature: 4, skill: [0.6, 0.85, 0.9, 0.95] },
];
const armsB: ArmSpec[] = [
  { role: 'teacher', temperature: null, skill: [0.95, 0.9, 0.9, 0.85] },
  { role: 'student', temperature: null, skill: [0.9, 0.7, 0.6, 0.8] },
  { role: 'distilled', temperature: 4, skill: [0.7, 0.6, 0.95, 0.9] },
  { role: 'distilled', temperature: 8, skill: [0.8, 0.8, 0.8, 0.8] },
];
const runsA = runsOf(armsA, 1, labels);
const runsB = runsOf(armsB, 2, labels);
const otherLabels = Int32Array.from(labels, (y) => (y + 1) % C);
const runsC = runsOf(armsB, 3, otherLabels);

function imported(yTrue: Int32Array, runs: StudyRun[], student: string): ImportedStudy {
  return {
    testSet: {
      ids: Array.from({ length: N }, (_, i) => `ex${i}`),
      labels: yTrue,
      numClasses: C,
      classNames,
      sensitive: { colour },
    },
    runs: runs.map((r) => ({
      file: `${r.role}-${r.temperature}-${r.seed}.csv`,
      role: r.role,
      temperature: r.temperature,
      seed: r.seed,
      architecture: r.role === 'teacher' ? 'resnet56' : student,
      predicted: r.yPred as Int32Array,
      probs: null,
    })),
  };
}

// Independent of @kdlens/metrics: accuracy by counting.
function classAccuracyByHand(yPred: ArrayLike<number>): number[] {
  const correct = new Array<number>(C).fill(0);
  const total = new Array<number>(C).fill(0);
  for (let i = 0; i < N; i++) {
    const y = labels[i] as number;
    total[y] = (total[y] as number) + 1;
    if (yPred[i] === y) correct[y] = (correct[y] as number) + 1;
  }
  return correct.map((k, c) => k / (total[c] as number));
}
function overallByHand(yPred: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < N; i++) if (yPred[i] === labels[i]) k++;
  return k / N;
}
const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const varOf = (xs: number[]) => {
  const m = meanOf(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};
const armOf = (runs: StudyRun[], role: string, temperature: number | null) =>
  runs.filter((r) => r.role === role && r.temperature === temperature);

/** Per class: mean in A, mean in B, B − A, Welch p (t and df by formula), Holm by hand. */
function expectedDelta(role: string, temperature: number | null) {
  const a = armOf(runsA, role, temperature).map((r) => classAccuracyByHand(r.yPred));
  const b = armOf(runsB, role, temperature).map((r) => classAccuracyByHand(r.yPred));
  const rows = Array.from({ length: C }, (_, c) => {
    const xa = a.map((v) => v[c] as number);
    const xb = b.map((v) => v[c] as number);
    const sa = varOf(xa) / xa.length;
    const sb = varOf(xb) / xb.length;
    const t = (meanOf(xa) - meanOf(xb)) / Math.sqrt(sa + sb);
    const df = (sa + sb) ** 2 / (sa ** 2 / (xa.length - 1) + sb ** 2 / (xb.length - 1));
    return { meanA: meanOf(xa), meanB: meanOf(xb), p: studentTTwoSidedP(t, df) };
  });
  // Holm: the k-th smallest p times (m − k), running maximum, capped at 1.
  const order = rows.map((_, c) => c).sort((x, y) => (rows[x]?.p ?? 0) - (rows[y]?.p ?? 0));
  const holm = new Array<number>(C);
  let running = 0;
  order.forEach((c, k) => {
    running = Math.max(running, Math.min(1, (C - k) * (rows[c]?.p ?? 0)));
    holm[c] = running;
  });
  return rows.map((r, c) => ({ ...r, delta: r.meanB - r.meanA, holm: holm[c] as number }));
}

const n = (v: number) => (Number.isFinite(v) ? v : null);
const estimate = (e: Estimate) => ({
  mean: n(e.mean),
  sd: n(e.sd),
  lower: n(e.lower),
  upper: n(e.upper),
  values: e.values.map(n),
});

interface GraphqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; argument?: string } }[];
}

let api: ApiServer;
let t: TestDatabase;
const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

async function request<T>(query: string, variables?: object): Promise<GraphqlResult<T>> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlResult<T>;
}

beforeAll(async () => {
  t = await createTestDatabase('api_compare');
  const write = (name: string, study: ImportedStudy) =>
    writeImportedStudy(
      t.warehouse.db,
      { experiment: name, dataset: 'synthetic', files: [] },
      study,
    );
  ids.a = (await write('small-student', imported(labels, runsA, 'resnet8'))).experimentId;
  ids.b = (await write('large-student', imported(labels, runsB, 'resnet20'))).experimentId;
  ids.c = (await write('other-labels', imported(otherLabels, runsC, 'resnet20'))).experimentId;
  api = await startApiServer({
    db: t.warehouse.db,
    log: createLogger('warn', 'api-compare'),
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: true,
    responseCache: { versionTtlMs: 0 },
  });
});

afterAll(async () => {
  await api?.stop();
  await t?.drop();
});

const COMPARE = `query($experiments: [ExperimentRefInput!]!, $worstLimit: Int) {
  compareExperiments(experiments: $experiments, worstLimit: $worstLimit) {
    testSetDigest examples classNames correction alpha
    experiments {
      experiment { id name studentArchitecture }
      stale summarized alpha statistic accuracyDelta
      arms { role temperature label seeds accuracy { mean sd lower upper values } }
      significance { temperature sc { raw holm bh tested } tc { raw holm bh tested } }
      groupFairness { attribute groups arms {
        arm { label } dpd { mean sd lower upper values } eod { mean sd lower upper values } } }
    }
    classDeltas {
      referenceId experimentId role temperature label referenceSeeds seeds
      accuracyReference accuracy delta p adjustedP significantCount testedCount
      worst { classIndex className delta }
    }
  }
}`;

interface Comparison {
  compareExperiments: {
    testSetDigest: string;
    examples: number;
    classNames: string[];
    correction: string;
    alpha: number;
    experiments: {
      experiment: { id: string; name: string; studentArchitecture: string | null };
      stale: boolean;
      summarized: boolean;
      alpha: number | null;
      statistic: string | null;
      accuracyDelta: (number | null)[];
      arms: {
        role: string;
        temperature: number | null;
        label: string;
        seeds: number[];
        accuracy: ReturnType<typeof estimate> | null;
      }[];
      significance: unknown[];
      groupFairness: {
        attribute: string;
        groups: string[];
        arms: {
          arm: { label: string };
          dpd: ReturnType<typeof estimate>;
          eod: ReturnType<typeof estimate>;
        }[];
      }[];
    }[];
    classDeltas: {
      referenceId: string;
      experimentId: string;
      role: string;
      temperature: number | null;
      label: string;
      referenceSeeds: number[];
      seeds: number[];
      accuracyReference: (number | null)[];
      accuracy: (number | null)[];
      delta: (number | null)[];
      p: (number | null)[];
      adjustedP: (number | null)[];
      significantCount: number;
      testedCount: number;
      worst: { classIndex: number; className: string; delta: number | null }[];
    }[];
  };
}

describe('compareExperiments', () => {
  it('puts two studies on the same test set side by side, by id and by name', async () => {
    const result = await request<Comparison>(COMPARE, {
      experiments: [{ id: ids.a }, { name: 'large-student' }],
    });
    expect(result.errors).toBeUndefined();
    const c = result.data?.compareExperiments;
    if (!c) throw new Error('no comparison');
    expect(c.examples).toBe(N);
    expect(c.classNames).toEqual(classNames);
    expect(c.testSetDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(c.correction).toBe('holm');
    expect(c.experiments.map((e) => [e.experiment.id, e.experiment.studentArchitecture])).toEqual([
      [ids.a, 'resnet8'],
      [ids.b, 'resnet20'],
    ]);

    for (const [side, runs] of [
      [c.experiments[0], runsA],
      [c.experiments[1], runsB],
    ] as const) {
      expect(side?.summarized).toBe(true);
      expect(side?.stale).toBe(false);
      // Accuracy per arm: the mean over seeds of accuracies counted here.
      for (const arm of side?.arms ?? []) {
        const byHand = meanOf(
          armOf(runs, arm.role, arm.temperature).map((r) => overallByHand(r.yPred)),
        );
        expect(arm.accuracy?.mean).toBeCloseTo(byHand, 12);
      }
      // The stored summary as summarizeStudy computes it from the same arrays: CIs, SC/TC,
      // DPD/EOD per T.
      const summary = summarizeStudy({ numClasses: C, yTrue: labels, runs, sensitive: { colour } });
      expect(side?.arms.map((a) => [a.label, a.seeds, a.accuracy])).toEqual(
        summary.arms.map((a, i) => [side?.arms[i]?.label, a.seeds, estimate(a.accuracy)]),
      );
      expect(side?.alpha).toBe(summary.alpha);
      expect(side?.statistic).toBe(summary.statistic);
      expect(side?.significance).toEqual(summary.significance);
      const fairness = summary.groupFairness[0];
      expect(side?.groupFairness[0]?.attribute).toBe('colour');
      expect(side?.groupFairness[0]?.groups).toEqual(fairness?.groups.map(String));
      expect(side?.groupFairness[0]?.arms.map((a) => [a.dpd, a.eod])).toEqual(
        fairness?.arms.map((a) => [estimate(a.dpd), estimate(a.eod)]),
      );
    }
    expect(c.experiments[0]?.arms.map((a) => a.label)).toEqual([
      'Teacher',
      'NDS',
      'KD T=2',
      'KD T=4',
    ]);
    expect(
      c.experiments[1]?.significance.map((s) => (s as { temperature: number }).temperature),
    ).toEqual([4, 8]);

    // Accuracy delta per arm of B: B's mean accuracy counted here minus A's for the same arm;
    // none for A itself, nor for an arm A lacks (KD T=8).
    expect(c.experiments[0]?.accuracyDelta).toEqual([null, null, null, null]);
    const accuracyByHand = (runs: StudyRun[], role: string, temperature: number | null) =>
      meanOf(armOf(runs, role, temperature).map((r) => overallByHand(r.yPred)));
    const armsB = c.experiments[1]?.arms ?? [];
    expect(armsB.map((a) => a.label)).toEqual(['Teacher', 'NDS', 'KD T=4', 'KD T=8']);
    armsB.forEach((arm, i) => {
      const delta = c.experiments[1]?.accuracyDelta[i];
      if (arm.temperature === 8) {
        expect(delta).toBeNull();
      } else {
        expect(delta).toBeCloseTo(
          accuracyByHand(runsB, arm.role, arm.temperature) -
            accuracyByHand(runsA, arm.role, arm.temperature),
          12,
        );
      }
    });

    // Per-class deltas B − A for the arms both have: teacher, NDS and KD T=4.
    expect(c.classDeltas.map((d) => d.label)).toEqual(['Teacher', 'NDS', 'KD T=4']);
    for (const d of c.classDeltas) {
      expect(d.referenceId).toBe(ids.a);
      expect(d.experimentId).toBe(ids.b);
      expect(d.referenceSeeds).toEqual(seeds);
      expect(d.seeds).toEqual(seeds);
      const expected = expectedDelta(d.role, d.temperature);
      expected.forEach((e, k) => {
        expect(d.accuracyReference[k]).toBeCloseTo(e.meanA, 12);
        expect(d.accuracy[k]).toBeCloseTo(e.meanB, 12);
        expect(d.delta[k]).toBeCloseTo(e.delta, 12);
        expect(d.p[k]).toBeCloseTo(e.p, 10);
        expect(d.adjustedP[k]).toBeCloseTo(e.holm, 10);
      });
      expect(d.testedCount).toBe(C);
      expect(d.significantCount).toBe(expected.filter((e) => e.holm <= 0.05).length);
      // The worst class first: ascending delta.
      const order = expected
        .map((e, k) => ({ k, delta: e.delta }))
        .sort((x, y) => x.delta - y.delta || x.k - y.k)
        .map((x) => x.k);
      expect(d.worst.map((w) => w.classIndex)).toEqual(order);
      expect(d.worst.map((w) => w.className)).toEqual(order.map((k) => classNames[k]));
    }
  });

  it("gives each experiment its test set's digest, to pick experiments that compare", async () => {
    const result = await request<{
      compareExperiments: { testSetDigest: string };
      a: { testSetDigest: string | null };
      c: { testSetDigest: string | null };
    }>(
      `query($a: ID!, $b: ID!, $c: ID!) {
        compareExperiments(experiments: [{ id: $a }, { id: $b }]) { testSetDigest }
        a: experiment(id: $a) { testSetDigest }
        c: experiment(id: $c) { testSetDigest }
      }`,
      ids,
    );
    expect(result.errors).toBeUndefined();
    const digest = result.data?.compareExperiments.testSetDigest;
    expect(result.data?.a.testSetDigest).toBe(digest);
    expect(result.data?.c.testSetDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(result.data?.c.testSetDigest).not.toBe(digest);
  });

  it('limits the worst list to worstLimit', async () => {
    const result = await request<Comparison>(COMPARE, {
      experiments: [{ id: ids.a }, { id: ids.b }],
      worstLimit: 1,
    });
    expect(result.data?.compareExperiments.classDeltas.every((d) => d.worst.length === 1)).toBe(
      true,
    );
  });

  it('refuses an experiment on a different test set, naming it', async () => {
    const result = await request<Comparison>(COMPARE, {
      experiments: [{ id: ids.a }, { id: ids.b }, { name: 'other-labels' }],
    });
    expect(result.data).toBeNull();
    const error = result.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.extensions?.argument).toBe('experiments');
    expect(error?.message).toMatch(
      new RegExp(
        `^experiments\\[2\\]: experiment "other-labels" \\(${ids.c}\\) is on a different test set .* from experiment "small-student" \\(${ids.a}\\)`,
      ),
    );
  });

  it('refuses one experiment, nine, a repeat, a bad ref, and names an unknown one', async () => {
    const codeOf = async (experiments: object[]) => {
      const r = await request<Comparison>(COMPARE, { experiments });
      return [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.message];
    };
    expect(await codeOf([{ id: ids.a }])).toEqual([
      'BAD_USER_INPUT',
      'experiments: give 2 to 8 experiments, got 1',
    ]);
    expect((await codeOf(Array.from({ length: 9 }, () => ({ id: ids.a }))))[1]).toMatch(/got 9/);
    expect((await codeOf([{ id: ids.a }, { name: 'small-student' }]))[1]).toMatch(
      /^experiments\[1\]: .* is already experiments\[0\]/,
    );
    expect((await codeOf([{ id: ids.a }, { id: ids.b, name: 'x' }]))[1]).toMatch(
      /give exactly one of experiments\[1\]\.id and experiments\[1\]\.name/,
    );
    expect(await codeOf([{ id: ids.a }, { name: 'nope' }])).toEqual([
      'NOT_FOUND',
      'experiments[1]: no experiment has name "nope"',
    ]);
  });

  it('compares experiments whose test sets differ only by an attached teacher embedding', async () => {
    const before = await request<{ a: { testSetDigest: string } }>(
      'query($a: ID!) { a: experiment(id: $a) { testSetDigest } }',
      ids,
    );
    // A 2-d embedding of b's test set: its stored digest gains `+features:<sha>`.
    const values = Float32Array.from({ length: 2 * N }, (_, i) => i % 7);
    const attached = await recordTestSetFeatures(t.warehouse.db, ids.b, { values, d: 2 });
    expect(attached?.status).toBe('attached');
    expect(attached?.digest).toBe(`${before.data?.a.testSetDigest}+features:${sha256Of(values)}`);
    const result = await request<{
      compareExperiments: { testSetDigest: string; examples: number };
      a: { testSetDigest: string };
      b: { testSetDigest: string };
    }>(
      `query($a: ID!, $b: ID!) {
        compareExperiments(experiments: [{ id: $a }, { id: $b }]) { testSetDigest examples }
        a: experiment(id: $a) { testSetDigest }
        b: experiment(id: $b) { testSetDigest }
      }`,
      ids,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.compareExperiments.examples).toBe(N);
    expect(result.data?.b.testSetDigest).toBe(before.data?.a.testSetDigest);
    expect(result.data?.a.testSetDigest).toBe(before.data?.a.testSetDigest);
    expect(result.data?.compareExperiments.testSetDigest).toBe(before.data?.a.testSetDigest);
  });
});

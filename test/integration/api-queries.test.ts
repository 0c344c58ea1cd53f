import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger, type ImportedStudy, writeImportedStudy } from '@kdlens/core';
import { markRunStarted, recordEpoch, recordExperiment, updateRunProgress } from '@kdlens/core/db';
import { recordTestSet, saveRunResults } from '@kdlens/core/results';
import {
  type ArmKey,
  accuracy,
  type ClassCorrection,
  type ClassStatistic,
  compareClasses,
  createRandom,
  disagreement,
  type Estimate,
  estimateOverSeeds,
  groupMetrics,
  type StudyRun,
  summarizeStudy,
} from '@kdlens/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// A 5-class study of 90 test examples (class 4 has none, so the "untested class" paths run),
// teacher, NDS and KD at T = 2 and 4, three seeds each, a three-group sensitive attribute.
// Predictions are drawn from a fixed generator; every expected number below is computed here
// with @kdlens/metrics on exactly the arrays written to the warehouse, never copied from the API.
const N = 90;
const C = 5;
const classNames = ['airplane', 'bird', 'cat', 'dog', 'empty'];
const labels = Int32Array.from({ length: N }, (_, i) =>
  i % 9 < 4 ? 0 : i % 9 < 6 ? 1 : i % 9 < 8 ? 2 : 3,
);
const colour = Array.from({ length: N }, (_, i) => ['red', 'green', 'blue'][(i * 7) % 3] as string);
const armSpecs = [
  { role: 'teacher', temperature: null, skill: [0.95, 0.9, 0.9, 0.85] },
  { role: 'student', temperature: null, skill: [0.8, 0.55, 0.85, 0.6] },
  { role: 'distilled', temperature: 2, skill: [0.9, 0.8, 0.5, 0.7] },
  { role: 'distilled', temperature: 4, skill: [0.6, 0.85, 0.9, 0.95] },
] as const;
const seeds = [0, 1, 2];

function predictions(armIndex: number, seed: number): Int32Array {
  const rnd = createRandom(1000 * armIndex + seed);
  const skill = armSpecs[armIndex]?.skill ?? [];
  return Int32Array.from(labels, (y) =>
    rnd.next() < (skill[y] ?? 0) ? y : (y + 1 + rnd.int(3)) % 4,
  );
}

const studyRuns: StudyRun[] = armSpecs.flatMap((arm, a) =>
  seeds.map((seed) => ({
    role: arm.role,
    temperature: arm.temperature,
    seed,
    yPred: predictions(a, seed),
  })),
);

const imported: ImportedStudy = {
  testSet: {
    ids: Array.from({ length: N }, (_, i) => `ex${i}`),
    labels,
    numClasses: C,
    classNames,
    sensitive: { colour },
  },
  runs: studyRuns.map((r) => ({
    file: `${r.role}-${r.temperature}-${r.seed}.csv`,
    role: r.role,
    temperature: r.temperature,
    seed: r.seed,
    architecture: r.role === 'teacher' ? 'resnet56' : 'resnet20',
    predicted: r.yPred as Int32Array,
    probs: null,
  })),
};

const armRuns = (key: ArmKey) =>
  studyRuns
    .filter((r) => r.role === key.role && r.temperature === key.temperature)
    .sort((x, y) => x.seed - y.seed);

/** What the API sends for a float: null where @kdlens/metrics has NaN (or ±∞). */
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
  errors?: { message: string; extensions?: { code?: string } }[];
}

let api: ApiServer;
let t: TestDatabase;
let experimentId = '';
let queries = 0;

async function request<T>(query: string, variables?: object): Promise<GraphqlResult<T>> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlResult<T>;
}

async function query<T>(text: string, variables?: object): Promise<T> {
  const result = await request<T>(text, variables);
  if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
  if (!result.data) throw new Error('no data');
  return result.data;
}

async function errorCode(text: string, variables?: object): Promise<string | undefined> {
  const result = await request(text, variables);
  return result.errors?.[0]?.extensions?.code;
}

beforeAll(async () => {
  t = await createTestDatabase('api_queries');
  const outcome = await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'cifar-study', dataset: 'cifar10', files: [] },
    imported,
  );
  experimentId = outcome.experimentId;
  // Counts every statement the API sends (drizzle and raw queries both go through pool.query).
  const pool = t.warehouse.db.$client;
  const original = pool.query.bind(pool);
  pool.query = ((...args: Parameters<typeof original>) => {
    queries++;
    return original(...args);
  }) as typeof pool.query;
  api = await startApiServer({
    db: t.warehouse.db,
    log: createLogger('warn', 'api-queries'),
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: true,
    // Reads the data version on every request: the statement counts below stay exact, and a
    // write made here shows in the next answer (api-response-cache.test.ts tests the window).
    responseCache: { versionTtlMs: 0 },
  });
});

afterAll(async () => {
  await api?.stop();
  await t?.drop();
});

const summary = () =>
  summarizeStudy({ numClasses: C, yTrue: labels, runs: studyRuns, sensitive: { colour } });

const ARM = '{ role temperature label seeds accuracy { mean sd lower upper values } }';

describe('experiment(id)', () => {
  it('shows the spec, status, test set and arms with accuracy mean ± sd from summarizeStudy', async () => {
    const data = await query<{
      experiment: {
        name: string;
        dataset: string;
        status: string;
        spec: { source: string };
        classNames: string[];
        sensitiveAttributes: string[];
        temperatures: number[];
        seeds: number[];
        teacherArchitecture: string;
        studentArchitecture: string;
        progress: number;
        arms: unknown[];
        runs: {
          role: string;
          temperature: number | null;
          seed: number;
          status: string;
          accuracy: number;
          label: string;
        }[];
      };
    }>(
      `query($id: ID!) { experiment(id: $id) { name dataset status specJson spec { name } classNames sensitiveAttributes
        temperatures seeds teacherArchitecture studentArchitecture progress arms ${ARM}
        runs { role temperature seed status accuracy label } } }`,
      { id: experimentId },
    );
    const e = data.experiment;
    expect(e).toMatchObject({
      name: 'cifar-study',
      dataset: 'cifar10',
      status: 'succeeded',
      specJson: { source: 'import' },
      // An import records its source, not a launch spec: there is no typed spec to show.
      spec: null,
      classNames,
      sensitiveAttributes: ['colour'],
      temperatures: [2, 4],
      seeds: [0, 1, 2],
      teacherArchitecture: 'resnet56',
      studentArchitecture: 'resnet20',
      progress: 1,
    });
    const expected = summary();
    expect(e.arms).toEqual(
      expected.arms.map((a) => ({
        role: a.role,
        temperature: a.temperature,
        label:
          a.role === 'teacher' ? 'Teacher' : a.role === 'student' ? 'NDS' : `KD T=${a.temperature}`,
        seeds: a.seeds,
        accuracy: estimate(a.accuracy),
      })),
    );
    expect(e.runs).toHaveLength(12);
    expect(e.runs.every((r) => r.status === 'succeeded')).toBe(true);
    // Each run carries its arm's name in the paper's words, the same wording as Arm.label.
    const runLabels: Record<string, string> = {
      'teacher:null': 'Teacher',
      'student:null': 'NDS',
      'distilled:2': 'KD T=2',
      'distilled:4': 'KD T=4',
    };
    for (const r of e.runs) expect(r.label).toBe(runLabels[`${r.role}:${r.temperature}`]);
    // The teacher's seed-0 run: its accuracy is @kdlens/metrics accuracy on its predictions.
    const teacher0 = e.runs.find((r) => r.role === 'teacher' && r.seed === 0);
    expect(teacher0?.accuracy).toBe(
      accuracy(labels, armRuns({ role: 'teacher', temperature: null })[0]?.yPred ?? []),
    );
  });

  it('answers null for an unknown id and BAD_USER_INPUT for a malformed one', async () => {
    const q = 'query($id: ID!) { experiment(id: $id) { name } }';
    const unknown = await request(q, { id: '00000000-0000-4000-8000-000000000000' });
    expect(unknown).toEqual({ data: { experiment: null } });
    expect(await errorCode(q, { id: 'nope' })).toBe('BAD_USER_INPUT');
  });

  it('finds an experiment by name; null for an unknown name', async () => {
    const q = 'query($name: String!) { experiment(name: $name) { id name } }';
    expect(await query(q, { name: 'cifar-study' })).toEqual({
      experiment: { id: experimentId, name: 'cifar-study' },
    });
    // Names match exactly: no case folding, no substring.
    expect(await request(q, { name: 'CIFAR-study' })).toEqual({ data: { experiment: null } });
    expect(await request(q, { name: 'cifar' })).toEqual({ data: { experiment: null } });
  });

  it('needs exactly one of id and name: BAD_USER_INPUT naming both arguments', async () => {
    for (const [args, word] of [
      ['', 'neither'],
      [`(id: "${experimentId}", name: "cifar-study")`, 'both'],
    ] as const) {
      const result = await request(`{ experiment${args} { id } }`);
      expect(result.errors?.[0]?.extensions?.code, args).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toBe(`give exactly one of id and name, not ${word}`);
    }
  });
});

const CC = `query($id: ID!, $a: ArmInput!, $b: ArmInput!, $statistic: ClassStatistic, $correction: Correction, $alpha: Float) {
  classComparison(experimentId: $id, a: $a, b: $b, statistic: $statistic, correction: $correction, alpha: $alpha) {
    a { label seeds } b { label seeds } statistic correction alpha significantCount testedCount significantFraction
    rows { classIndex className accuracyA accuracyB statisticA statisticB sdA sdB delta accuracyDelta t df p adjustedP significant }
    columns { className accuracyA accuracyB statisticA statisticB sdA sdB delta accuracyDelta t df p adjustedP significant } } }`;

interface ClassComparisonAnswer {
  classComparison: {
    a: { label: string; seeds: number[] };
    statistic: string;
    significantCount: number;
    testedCount: number;
    significantFraction: number | null;
    rows: Record<string, unknown>[];
    columns: Record<string, unknown[]>;
  };
}

describe('classComparison', () => {
  const cases: {
    a: ArmKey;
    b: ArmKey;
    statistic: ClassStatistic;
    correction: ClassCorrection;
    alpha: number;
  }[] = [
    {
      a: { role: 'student', temperature: null },
      b: { role: 'distilled', temperature: 2 },
      statistic: 'normalized',
      correction: 'holm',
      alpha: 0.05,
    },
    {
      a: { role: 'teacher', temperature: null },
      b: { role: 'distilled', temperature: 4 },
      statistic: 'normalized',
      correction: 'none',
      alpha: 0.2,
    },
    {
      a: { role: 'student', temperature: null },
      b: { role: 'distilled', temperature: 4 },
      statistic: 'raw',
      correction: 'bh',
      alpha: 0.1,
    },
    {
      a: { role: 'distilled', temperature: 2 },
      b: { role: 'teacher', temperature: null },
      statistic: 'difference',
      correction: 'holm',
      alpha: 0.5,
    },
  ];
  for (const c of cases) {
    it(`equals compareClasses for ${c.a.role}${c.a.temperature ?? ''} vs ${c.b.role}${c.b.temperature ?? ''}, ${c.statistic}, ${c.correction}, α=${c.alpha}`, async () => {
      const data = await query<ClassComparisonAnswer>(CC, { id: experimentId, ...c });
      const runs = (k: ArmKey) => armRuns(k).map((r) => ({ yTrue: labels, yPred: r.yPred }));
      const options = {
        numClasses: C,
        statistic: c.statistic,
        correction: c.correction,
        alpha: c.alpha,
      };
      const expected = compareClasses(runs(c.a), runs(c.b), options);
      const raw = compareClasses(runs(c.a), runs(c.b), { ...options, statistic: 'raw' });
      const got = data.classComparison;
      expect(got.statistic).toBe(c.statistic);
      expect(got.a.seeds).toEqual(seeds);
      expect(got.significantCount).toBe(expected.significantCount);
      expect(got.testedCount).toBe(expected.testedCount);
      expect(got.testedCount).toBe(4); // the empty class is never tested
      expect(got.significantFraction).toBe(n(expected.significantFraction));
      expect(got.rows).toEqual(
        expected.perClass.map((row, k) => ({
          classIndex: k,
          className: classNames[k],
          accuracyA: n(raw.perClass[k]?.meanA ?? Number.NaN),
          accuracyB: n(raw.perClass[k]?.meanB ?? Number.NaN),
          statisticA: n(row.meanA),
          statisticB: n(row.meanB),
          sdA: n(row.sdA),
          sdB: n(row.sdB),
          delta: n(row.delta),
          accuracyDelta: n(
            (raw.perClass[k]?.meanB ?? Number.NaN) - (raw.perClass[k]?.meanA ?? Number.NaN),
          ),
          t: n(row.t),
          df: n(row.df),
          p: n(row.pValue),
          adjustedP: n(row.pAdjusted),
          significant: row.significant,
        })),
      );
      // The columnar form holds the same numbers, field by field.
      for (const [field, column] of Object.entries(got.columns)) {
        expect(column).toEqual(got.rows.map((r) => r[field]));
      }
    });
  }

  it('serves accuracyDelta = B − A of the class accuracies, counted by hand, under every statistic', async () => {
    const a: ArmKey = { role: 'student', temperature: null };
    const b: ArmKey = { role: 'distilled', temperature: 4 };
    // Class accuracy of one run: right answers among the class's examples; null for none.
    const classAccuracyOf = (yPred: ArrayLike<number>, c: number): number | null => {
      let right = 0;
      let total = 0;
      for (let i = 0; i < N; i++) {
        if (labels[i] !== c) continue;
        total++;
        if (yPred[i] === c) right++;
      }
      return total === 0 ? null : right / total;
    };
    const meanOverSeeds = (key: ArmKey, c: number): number | null => {
      const values = armRuns(key).map((r) => classAccuracyOf(r.yPred, c));
      if (values.some((v) => v === null)) return null;
      return values.reduce((sum: number, v) => sum + (v ?? 0), 0) / values.length;
    };
    const byHand = classNames.map((_, c) => {
      const accA = meanOverSeeds(a, c);
      const accB = meanOverSeeds(b, c);
      return accA === null || accB === null ? null : accB - accA;
    });
    // Class 4 has no test example: no accuracy, so no change.
    expect(byHand[4]).toBeNull();
    expect(byHand.filter((d) => d !== null && d !== 0)).toHaveLength(4);
    for (const statistic of ['normalized', 'difference', 'raw'] as const) {
      const data = await query<ClassComparisonAnswer>(CC, { id: experimentId, a, b, statistic });
      const rows = data.classComparison.rows as { accuracyDelta: number | null }[];
      const column = data.classComparison.columns.accuracyDelta as (number | null)[];
      byHand.forEach((expected, c) => {
        if (expected === null) {
          expect(rows[c]?.accuracyDelta).toBeNull();
          expect(column[c]).toBeNull();
        } else {
          expect(rows[c]?.accuracyDelta).toBeCloseTo(expected, 12);
          expect(column[c]).toBeCloseTo(expected, 12);
        }
      });
    }
  });

  it('defaults to the normalized statistic, Holm and α = 0.05', async () => {
    const data = await query<{
      classComparison: { statistic: string; correction: string; alpha: number };
    }>(
      `query($id: ID!) { classComparison(experimentId: $id, a: {role: student}, b: {role: distilled, temperature: 2}) { statistic correction alpha } }`,
      { id: experimentId },
    );
    expect(data.classComparison).toEqual({
      statistic: 'normalized',
      correction: 'holm',
      alpha: 0.05,
    });
  });

  it('refuses an arm without runs, a malformed arm, a bad alpha and an unknown experiment', async () => {
    const base = {
      id: experimentId,
      a: { role: 'student' },
      b: { role: 'distilled', temperature: 2 },
    };
    expect(await errorCode(CC, { ...base, b: { role: 'distilled', temperature: 8 } })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await errorCode(CC, { ...base, b: { role: 'distilled' } })).toBe('BAD_USER_INPUT');
    expect(await errorCode(CC, { ...base, a: { role: 'teacher', temperature: 2 } })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await errorCode(CC, { ...base, alpha: 1.5 })).toBe('BAD_USER_INPUT');
    expect(await errorCode(CC, { ...base, alpha: -0.1 })).toBe('BAD_USER_INPUT');
    expect(await errorCode(CC, { ...base, id: 'x' })).toBe('BAD_USER_INPUT');
    expect(await errorCode(CC, { ...base, id: '00000000-0000-4000-8000-000000000000' })).toBe(
      'NOT_FOUND',
    );
  });

  it('takes the experiment by name as well (experimentName), exactly one of the two', async () => {
    const vars = { a: { role: 'student' }, b: { role: 'distilled', temperature: 2 } };
    const byId = await query<ClassComparisonAnswer>(CC, { ...vars, id: experimentId });
    const byName = await query<ClassComparisonAnswer>(
      CC.replace('$id: ID!', '$name: String!').replace(
        'experimentId: $id',
        'experimentName: $name',
      ),
      { ...vars, name: 'cifar-study' },
    );
    expect(byName).toEqual(byId);
    const unknown = await request(
      '{ individualFairness(experimentName: "no-such-study") { available } }',
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unknown.errors?.[0]?.message).toBe('no experiment has name "no-such-study"');
    for (const args of ['', `(experimentId: "${experimentId}", experimentName: "cifar-study")`]) {
      const wrong = await request(`{ individualFairness${args} { available } }`);
      expect(wrong.errors?.[0]?.extensions?.code, args).toBe('BAD_USER_INPUT');
      expect(wrong.errors?.[0]?.message).toMatch(
        /^give exactly one of experimentId and experimentName, not (both|neither)$/,
      );
    }
  });
});

describe('significanceSweep', () => {
  const SWEEP = `query($id: ID!, $correction: Correction, $alpha: Float) {
    significanceSweep(experimentId: $id, correction: $correction, alpha: $alpha) {
      correction alpha rows { temperature sc { raw holm bh tested } tc { raw holm bh tested } scCount tcCount } } }`;
  interface SweepAnswer {
    significanceSweep: {
      rows: { temperature: number; sc: unknown; tc: unknown; scCount: number; tcCount: number }[];
    };
  }

  it("equals summarizeStudy's SC/TC counts (Table 1) at the default alpha and at another", async () => {
    for (const [alpha, correction] of [
      [0.05, 'holm'],
      [0.3, 'bh'],
      [0.3, 'none'],
    ] as const) {
      const data = await query<SweepAnswer>(SWEEP, { id: experimentId, correction, alpha });
      const expected = summarizeStudy({
        numClasses: C,
        yTrue: labels,
        runs: studyRuns,
        options: { alpha },
      });
      expect(data.significanceSweep.rows).toEqual(
        expected.significance.map((s) => ({
          temperature: s.temperature,
          sc: s.sc,
          tc: s.tc,
          scCount: s.sc ? (correction === 'none' ? s.sc.raw : s.sc[correction]) : null,
          tcCount: s.tc ? (correction === 'none' ? s.tc.raw : s.tc[correction]) : null,
        })),
      );
    }
  });

  it('refuses an invalid alpha', async () => {
    expect(await errorCode(SWEEP, { id: experimentId, alpha: 2 })).toBe('BAD_USER_INPUT');
  });
});

describe('groupFairness', () => {
  const GF = `query($id: ID!, $attribute: String!) { groupFairness(experimentId: $id, attribute: $attribute) {
    attribute groups posLabel stale arms { arm { label } dpd { mean sd lower upper values } eod { mean sd lower upper values }
    groups { group count accuracy selectionRate truePositiveRate falsePositiveRate } } } }`;

  it("equals summarizeStudy's DPD/EOD and groupMetrics per group, mean over seeds (Table 2)", async () => {
    const data = await query<{
      groupFairness: {
        groups: string[];
        posLabel: number;
        stale: boolean;
        arms: { dpd: unknown; eod: unknown; groups: Record<string, number | string>[] }[];
      };
    }>(GF, { id: experimentId, attribute: 'colour' });
    const got = data.groupFairness;
    const expected = summary().groupFairness.find((g) => g.attribute === 'colour');
    expect(got.groups).toEqual(['blue', 'green', 'red']);
    expect(got.posLabel).toBe(1);
    expect(got.stale).toBe(false);
    expect(got.arms).toHaveLength(4);
    expected?.arms.forEach((arm, i) => {
      const shown = got.arms[i];
      expect(shown?.dpd).toEqual(estimate(arm.dpd));
      expect(shown?.eod).toEqual(estimate(arm.eod));
      const perSeed = armRuns(arm).map((r) =>
        groupMetrics(labels, r.yPred, colour, { posLabel: 1 }),
      );
      const mean = (f: (g: number, m: (typeof perSeed)[number]) => number) => (g: number) =>
        perSeed.reduce((s, m) => s + f(g, m), 0) / perSeed.length;
      const rows = expected.groups.map((group, g) => ({
        group,
        count: perSeed[0]?.byGroup[g]?.count,
        accuracy: mean((k, m) => m.byGroup[k]?.accuracy ?? Number.NaN)(g),
        selectionRate: mean((k, m) => m.byGroup[k]?.selectionRate ?? Number.NaN)(g),
        truePositiveRate: mean((k, m) => m.byGroup[k]?.tpr ?? Number.NaN)(g),
        falsePositiveRate: mean((k, m) => m.byGroup[k]?.fpr ?? Number.NaN)(g),
      }));
      expect(shown?.groups).toEqual(rows);
    });
  });

  it('refuses an unknown attribute', async () => {
    expect(await errorCode(GF, { id: experimentId, attribute: 'age' })).toBe('BAD_USER_INPUT');
  });
});

describe('disagreement', () => {
  it('equals @kdlens/metrics disagreement per class, mean over the common seeds', async () => {
    const data = await query<{
      disagreement: {
        seeds: number[];
        overall: number;
        rows: { className: string; disagreement: number | null }[];
      };
    }>(
      `query($id: ID!) { disagreement(experimentId: $id, a: {role: student}, b: {role: distilled, temperature: 4}) {
        a { label } b { label } seeds overall rows { classIndex className disagreement } } }`,
      { id: experimentId },
    );
    const a = armRuns({ role: 'student', temperature: null });
    const b = armRuns({ role: 'distilled', temperature: 4 });
    const perSeed = a.map((r, i) => disagreement(r.yPred, b[i]?.yPred ?? [], labels, C));
    const overall = a.map((r, i) => {
      let differ = 0;
      for (let k = 0; k < N; k++) if (r.yPred[k] !== b[i]?.yPred[k]) differ++;
      return differ / N;
    });
    expect(data.disagreement.seeds).toEqual(seeds);
    expect(data.disagreement.overall).toBeCloseTo(overall.reduce((s, v) => s + v, 0) / 3, 12);
    data.disagreement.rows.forEach((row, c) => {
      expect(row.className).toBe(classNames[c]);
      const values = perSeed.map((d) => d[c] as number);
      const expected = values.reduce((s, v) => s + v, 0) / values.length;
      if (Number.isNaN(expected)) expect(row.disagreement).toBeNull();
      else expect(row.disagreement).toBeCloseTo(expected, 12);
    });
  });

  it('gives each class and the overall share over seeds with the study bootstrap CI', async () => {
    const data = await query<{
      disagreement: {
        overallEstimate: ReturnType<typeof estimate>;
        rows: { examples: number; estimate: ReturnType<typeof estimate> }[];
      };
    }>(
      `query($id: ID!) { disagreement(experimentId: $id, a: {role: teacher}, b: {role: distilled, temperature: 2}) {
        overallEstimate { mean sd lower upper values } rows { examples estimate { mean sd lower upper values } } } }`,
      { id: experimentId },
    );
    const a = armRuns({ role: 'teacher', temperature: null });
    const b = armRuns({ role: 'distilled', temperature: 2 });
    // Counted here, example by example, then through the study's estimate over seeds.
    const overall = a.map((r, i) => {
      let differ = 0;
      for (let k = 0; k < N; k++) if (r.yPred[k] !== b[i]?.yPred[k]) differ++;
      return differ / N;
    });
    expect(data.disagreement.overallEstimate).toEqual(estimate(estimateOverSeeds(overall)));
    data.disagreement.rows.forEach((row, c) => {
      const members = Array.from(labels.keys()).filter((k) => labels[k] === c);
      expect(row.examples).toBe(members.length);
      const values = a.map((r, i) =>
        members.length === 0
          ? Number.NaN
          : members.filter((k) => r.yPred[k] !== b[i]?.yPred[k]).length / members.length,
      );
      const got = row.estimate;
      const want = estimate(estimateOverSeeds(values));
      expect(got.values.length).toBe(3);
      for (const key of ['mean', 'sd', 'lower', 'upper'] as const) {
        if (want[key] === null) expect(got[key]).toBeNull();
        else expect(got[key]).toBeCloseTo(want[key], 12);
      }
    });
  });

  it('lists every arm pair with its overall disagreement (disagreementPairs)', async () => {
    const data = await query<{
      disagreementPairs: {
        a: { label: string };
        b: { label: string };
        seeds: number[];
        overall: { mean: number; values: number[] };
      }[];
    }>(
      `query($id: ID!) { disagreementPairs(experimentId: $id) {
        a { label } b { label } seeds overall { mean values } } }`,
      { id: experimentId },
    );
    const labelsOf = ['Teacher', 'NDS', 'KD T=2', 'KD T=4'];
    expect(data.disagreementPairs.map((p) => `${p.a.label}|${p.b.label}`)).toEqual([
      'Teacher|NDS',
      'Teacher|KD T=2',
      'Teacher|KD T=4',
      'NDS|KD T=2',
      'NDS|KD T=4',
      'KD T=2|KD T=4',
    ]);
    for (const pair of data.disagreementPairs) {
      const ia = labelsOf.indexOf(pair.a.label);
      const ib = labelsOf.indexOf(pair.b.label);
      const values = seeds.map((seed) => {
        const ya = predictions(ia, seed);
        const yb = predictions(ib, seed);
        return ya.filter((v, k) => v !== yb[k]).length / N;
      });
      expect(pair.seeds).toEqual(seeds);
      values.forEach((v, i) => {
        expect(pair.overall.values[i]).toBeCloseTo(v, 12);
      });
      expect(pair.overall.mean).toBeCloseTo(values.reduce((s, v) => s + v, 0) / 3, 12);
    }
  });
});

describe('individualFairness, run(id) and live progress', () => {
  let liveRunId = '';
  let featuresExperimentId = '';
  // Two arms × two seeds with features and dense probabilities, written the way a trainer does.
  const M = 24;
  const yTrue = Int32Array.from({ length: M }, (_, i) => i % 3);
  const features = Float32Array.from({ length: M * 2 }, (_, i) => ((i * 37) % 11) / 11);
  const runsIn: StudyRun[] = [];

  beforeAll(async () => {
    const db = t.warehouse.db;
    const { experiment, runs } = await recordExperiment(db, {
      name: 'features-study',
      dataset: 'shapes',
      spec: { teacher: { architecture: 'mlp' }, student: { architecture: 'mlp' } },
      runs: [
        ...[0, 1].flatMap((seed) => [
          { role: 'teacher' as const, temperature: null, seed, architecture: 'mlp' },
          { role: 'student' as const, temperature: null, seed, architecture: 'mlp' },
        ]),
        { role: 'distilled' as const, temperature: 4, seed: 0, architecture: 'mlp' },
      ],
    });
    featuresExperimentId = experiment.id;
    await recordTestSet(db, experiment.id, {
      numClasses: 3,
      labels: yTrue,
      features: { values: features, d: 2 },
    });
    for (const run of runs) {
      if (run.role === 'distilled') {
        liveRunId = run.id;
        continue;
      }
      const rnd = createRandom(run.seed * 10 + (run.role === 'teacher' ? 1 : 2));
      const probs = new Float32Array(M * 3);
      const yPred = new Int32Array(M);
      for (let i = 0; i < M; i++) {
        const p = rnd.next() < 0.7 ? (yTrue[i] as number) : rnd.int(3);
        yPred[i] = p;
        for (let k = 0; k < 3; k++) probs[i * 3 + k] = k === p ? 0.5 : 0.25;
      }
      await saveRunResults(db, run.id, {
        predicted: yPred,
        probabilities: { kind: 'dense', numClasses: 3, values: probs },
      });
      runsIn.push({ role: run.role, temperature: null, seed: run.seed, yPred, probs });
    }
    await markRunStarted(db, liveRunId, 'wasm');
    await recordEpoch(db, liveRunId, {
      epoch: 1,
      loss: 1.25,
      trainAccuracy: 0.5,
      evalAccuracy: null,
      imagesPerSec: 900,
      seconds: 2,
    });
    await updateRunProgress(db, liveRunId, {
      fraction: 0.4,
      epoch: 2,
      loss: 0.9,
      accuracy: 0.6,
      imagesPerSec: 1000,
      etaSeconds: 12,
    });
  });

  it("equals summarizeStudy's Lipschitz and consistency per arm (Table 4)", async () => {
    const data = await query<{
      individualFairness: { available: boolean; stale: boolean; arms: unknown[] };
    }>(
      `query($id: ID!) { individualFairness(experimentId: $id) { available reason stale
        arms { arm { label } lipschitz { mean sd lower upper values } consistency { mean sd lower upper values } } } }`,
      { id: featuresExperimentId },
    );
    const expected = summarizeStudy({
      numClasses: 3,
      yTrue,
      runs: runsIn,
      features: { values: features, d: 2 },
    });
    expect(data.individualFairness.available).toBe(true);
    expect(data.individualFairness.stale).toBe(false);
    expect(data.individualFairness.arms).toEqual(
      (expected.individualFairness ?? []).map((a) => ({
        arm: { label: a.role === 'teacher' ? 'Teacher' : 'NDS' },
        lipschitz: a.lipschitz ? estimate(a.lipschitz) : null,
        consistency: estimate(a.consistency),
      })),
    );
  });

  it('says why individual fairness is unavailable without features', async () => {
    const data = await query<{
      individualFairness: { available: boolean; reason: string; arms: unknown[] };
    }>(
      'query($id: ID!) { individualFairness(experimentId: $id) { available reason arms { arm { label } } } }',
      { id: experimentId },
    );
    expect(data.individualFairness).toMatchObject({ available: false, arms: [] });
    expect(data.individualFairness.reason).toMatch(/features/);
  });

  it('run(id) shows status, progress, epoch, live metrics, history, backend and timings', async () => {
    const data = await query<{ run: Record<string, unknown> }>(
      `query($id: ID!) { run(id: $id) { role temperature label status progress epoch loss accuracy imagesPerSec etaSeconds backend
        attempt startedAt finishedAt heartbeatAt error history { epoch loss trainAccuracy evalAccuracy imagesPerSec seconds } } }`,
      { id: liveRunId },
    );
    expect(data.run).toMatchObject({
      role: 'distilled',
      temperature: 4,
      label: 'KD T=4',
      status: 'running',
      progress: 0.4,
      epoch: 2,
      loss: 0.9,
      accuracy: 0.6,
      imagesPerSec: 1000,
      etaSeconds: 12,
      backend: 'wasm',
      finishedAt: null,
      error: null,
      history: [
        {
          epoch: 1,
          loss: 1.25,
          trainAccuracy: 0.5,
          evalAccuracy: null,
          imagesPerSec: 900,
          seconds: 2,
        },
      ],
    });
    expect(typeof data.run.startedAt).toBe('string');
    expect(typeof data.run.heartbeatAt).toBe('string');
    const q = 'query($id: ID!) { run(id: $id) { id } }';
    expect(await request(q, { id: '00000000-0000-4000-8000-000000000000' })).toEqual({
      data: { run: null },
    });
    expect(await errorCode(q, { id: '12' })).toBe('BAD_USER_INPUT');
  });

  it('experiment progress is the mean over runs', async () => {
    const data = await query<{
      experiment: { progress: number; seeds: number[]; temperatures: number[] };
    }>('query($id: ID!) { experiment(id: $id) { progress seeds temperatures } }', {
      id: featuresExperimentId,
    });
    expect(data.experiment.progress).toBeCloseTo((4 * 1 + 0.4) / 5, 12);
    expect(data.experiment).toMatchObject({ seeds: [0, 1], temperatures: [4] });
  });
});

describe('experiments(filter, first, after)', () => {
  const LIST = `query($filter: ExperimentFilter, $first: Int, $after: String) {
    experiments(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { name dataset status } } } }`;
  interface ListAnswer {
    experiments: {
      totalCount: number;
      pageInfo: {
        hasNextPage: boolean;
        hasPreviousPage: boolean;
        startCursor: string | null;
        endCursor: string | null;
      };
      edges: { cursor: string; node: { name: string } }[];
    };
  }

  it('pages newest first with cursors and filters by dataset, status and name', async () => {
    const all = await query<ListAnswer>(LIST, {});
    expect(all.experiments.edges.map((e) => e.node.name)).toEqual([
      'features-study',
      'cifar-study',
    ]);
    expect(all.experiments.totalCount).toBe(2);

    // The whole list on one page: nothing before it, nothing after; its cursors are its ends'.
    expect(all.experiments.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: all.experiments.edges[0]?.cursor,
      endCursor: all.experiments.edges[1]?.cursor,
    });

    const first = await query<ListAnswer>(LIST, { first: 1 });
    expect(first.experiments.edges.map((e) => e.node.name)).toEqual(['features-study']);
    expect(first.experiments.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: first.experiments.edges[0]?.cursor,
      endCursor: first.experiments.edges[0]?.cursor,
    });
    const second = await query<ListAnswer>(LIST, {
      first: 1,
      after: first.experiments.pageInfo.endCursor,
    });
    expect(second.experiments.edges.map((e) => e.node.name)).toEqual(['cifar-study']);
    expect(second.experiments.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: second.experiments.edges[0]?.cursor,
      endCursor: second.experiments.edges[0]?.cursor,
    });
    expect(second.experiments.totalCount).toBe(2);
    // Past the last row: an empty page, which still follows the others.
    const third = await query<ListAnswer>(LIST, {
      first: 1,
      after: second.experiments.pageInfo.endCursor,
    });
    expect(third.experiments.edges).toEqual([]);
    expect(third.experiments.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: null,
      endCursor: null,
    });

    const byDataset = await query<ListAnswer>(LIST, { filter: { dataset: 'cifar10' } });
    expect(byDataset.experiments.edges.map((e) => e.node.name)).toEqual(['cifar-study']);
    const byStatus = await query<ListAnswer>(LIST, { filter: { status: 'pending' } });
    expect(byStatus.experiments.edges.map((e) => e.node.name)).toEqual(['features-study']);
    const byName = await query<ListAnswer>(LIST, { filter: { name: 'CIFAR' } });
    expect(byName.experiments.edges.map((e) => e.node.name)).toEqual(['cifar-study']);
    const wildcard = await query<ListAnswer>(LIST, { filter: { name: '%' } });
    expect(wildcard.experiments.totalCount).toBe(0);
  });

  it('refuses a page over 100 and a forged cursor', async () => {
    expect(await errorCode(LIST, { first: 101 })).toBe('BAD_USER_INPUT');
    expect(await errorCode(LIST, { after: 'bm90LWEtY3Vyc29y' })).toBe('BAD_USER_INPUT');
  });

  it('batches nested fields: the same number of SQL statements for one experiment as for two', async () => {
    const NESTED = `query($first: Int) { experiments(first: $first) { edges { node {
      name progress classNames sensitiveAttributes teacherArchitecture arms { label accuracy { mean } }
      runs { id history { epoch } } } } } }`;
    queries = 0;
    await query(NESTED, { first: 1 });
    const one = queries;
    queries = 0;
    const data = await query<{ experiments: { edges: unknown[] } }>(NESTED, { first: 2 });
    expect(data.experiments.edges).toHaveLength(2);
    expect(queries).toBe(one);
    expect(one).toBeLessThanOrEqual(5);
  });
});

describe('study cache', () => {
  it('serves new results as soon as they are stored (keyed by the results ids)', async () => {
    const vars = {
      id: experimentId,
      a: { role: 'student' },
      b: { role: 'distilled', temperature: 2 },
      correction: 'none',
    };
    await query<ClassComparisonAnswer>(CC, vars);
    // Re-import the NDS seed 0 with every prediction right: its class accuracies change.
    const perfect = {
      ...imported,
      runs: imported.runs.map((r) =>
        r.role === 'student' && r.seed === 0 ? { ...r, predicted: labels } : r,
      ),
    };
    await writeImportedStudy(
      t.warehouse.db,
      { experiment: 'cifar-study', dataset: 'cifar10', files: [] },
      perfect,
    );
    const after = await query<ClassComparisonAnswer>(CC, vars);
    const runs = (k: ArmKey, override: boolean) =>
      armRuns(k).map((r) => ({
        yTrue: labels,
        yPred: override && r.seed === 0 ? labels : r.yPred,
      }));
    const expected = compareClasses(
      runs({ role: 'student', temperature: null }, true),
      runs({ role: 'distilled', temperature: 2 }, false),
      {
        numClasses: C,
        correction: 'none',
      },
    );
    expect(after.classComparison.rows.map((r) => r.p)).toEqual(
      expected.perClass.map((r) => n(r.pValue)),
    );
    const raw = compareClasses(
      runs({ role: 'student', temperature: null }, true),
      runs({ role: 'distilled', temperature: 2 }, false),
      {
        numClasses: C,
        statistic: 'raw',
      },
    );
    expect(after.classComparison.rows.map((r) => r.accuracyA)).toEqual(
      raw.perClass.map((r) => n(r.meanA)),
    );
  });
});

describe('node(id)', () => {
  const NODE = `query($id: ID!) { node(id: $id) { __typename id
    ... on Experiment { name } ... on Run { experimentId role seed } } }`;

  it('finds an experiment and a run by id (the Relay Node interface), null for an unknown id', async () => {
    expect(await query(NODE, { id: experimentId })).toEqual({
      node: { __typename: 'Experiment', id: experimentId, name: 'cifar-study' },
    });
    const { experiment } = await query<{
      experiment: { runs: { id: string; role: string; seed: number }[] };
    }>('query($id: ID!) { experiment(id: $id) { runs { id role seed } } }', { id: experimentId });
    const run = experiment.runs[0];
    if (!run) throw new Error('no run');
    expect(await query(NODE, { id: run.id })).toEqual({
      node: { __typename: 'Run', id: run.id, experimentId, role: run.role, seed: run.seed },
    });
    expect(await request(NODE, { id: '00000000-0000-4000-8000-000000000000' })).toEqual({
      data: { node: null },
    });
    expect(await errorCode(NODE, { id: 'not-a-uuid' })).toBe('BAD_USER_INPUT');
  });
});

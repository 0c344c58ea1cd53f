import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger, type ImportedStudy, writeImportedStudy } from '@kdlens/core';
import { recordExperiment } from '@kdlens/core/db';
import { recordTestSet, saveRunResults } from '@kdlens/core/results';
import {
  type ArmKey,
  armClassGroupAccuracy,
  classGroupCounts,
  compareClassGroups,
  createRandom,
  type Estimate,
  groupMetrics,
  intersectionalFairness,
  intersectionIndex,
  type StudyRun,
  summarizeStudy,
  worstCells,
} from '@kdlens/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// A 4-class study of 240 test examples with two sensitive attributes, sex and age, whose
// intersection F × old is small (fewer than 30 examples); teacher, NDS and KD at T = 2 and 4,
// three seeds each. Every expected number is computed here with @kdlens/metrics on exactly the
// arrays written to the warehouse.
const N = 240;
const C = 4;
const classNames = ['cat', 'dog', 'fox', 'owl'];
const labels = Int32Array.from({ length: N }, (_, i) => (i * 7) % C);
const sex = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 'F' : 'M'));
const age = Array.from({ length: N }, (_, i) =>
  i % 3 === 0 ? (i % 10 === 0 ? 'old' : 'young') : i % 2 === 0 ? 'old' : 'young',
);
const armSpecs = [
  { role: 'teacher', temperature: null, skill: [0.95, 0.9, 0.9, 0.85] },
  { role: 'student', temperature: null, skill: [0.8, 0.55, 0.85, 0.6] },
  { role: 'distilled', temperature: 2, skill: [0.9, 0.8, 0.5, 0.7] },
  { role: 'distilled', temperature: 4, skill: [0.6, 0.85, 0.9, 0.95] },
] as const;
const seeds = [0, 1, 2];

const studyRuns: StudyRun[] = armSpecs.flatMap((arm, a) =>
  seeds.map((seed) => {
    const rnd = createRandom(500 * a + seed);
    return {
      role: arm.role,
      temperature: arm.temperature,
      seed,
      // Older F examples are harder for the students: a real intersectional effect.
      yPred: Int32Array.from(labels, (y, i) => {
        const penalty = arm.role !== 'teacher' && sex[i] === 'F' && age[i] === 'old' ? 0.3 : 0;
        return rnd.next() < (arm.skill[y] ?? 0) - penalty ? y : (y + 1 + rnd.int(3)) % C;
      }),
    };
  }),
);

const imported: ImportedStudy = {
  testSet: {
    ids: Array.from({ length: N }, (_, i) => `ex${i}`),
    labels,
    numClasses: C,
    classNames,
    sensitive: { sex, age },
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
let experimentId = '';

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

beforeAll(async () => {
  t = await createTestDatabase('api_intersectional');
  const outcome = await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'celeba-like', dataset: 'celeba', files: [] },
    imported,
  );
  experimentId = outcome.experimentId;
  api = await startApiServer({
    db: t.warehouse.db,
    log: createLogger('warn', 'api-intersectional'),
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

const IF = `query($id: ID!, $attributes: [String!]!, $positiveClass: Int, $minGroupSize: Int, $method: DisparityMethod) {
  intersectionalFairness(experimentId: $id, attributes: $attributes, positiveClass: $positiveClass, minGroupSize: $minGroupSize, method: $method) {
    attributes groups positiveClass positiveClassName method minGroupSize comparedGroups
    smallGroups { group values count }
    arms { arm { label seeds }
      dpd { mean sd lower upper values } dpr { mean sd lower upper values }
      eod { mean sd lower upper values } eor { mean sd lower upper values }
      groups { group values count small accuracy selectionRate truePositiveRate falsePositiveRate } } } }`;

interface IntersectionalAnswer {
  intersectionalFairness: {
    attributes: string[];
    groups: string[];
    positiveClass: number | null;
    positiveClassName: string | null;
    method: string;
    minGroupSize: number;
    comparedGroups: number;
    smallGroups: { group: string; values: string[]; count: number }[];
    arms: {
      arm: { label: string; seeds: number[] };
      dpd: unknown;
      dpr: unknown;
      eod: unknown;
      eor: unknown;
      groups: {
        group: string;
        values: string[];
        count: number;
        small: boolean;
        accuracy: number | null;
        selectionRate: number | null;
        truePositiveRate: number | null;
        falsePositiveRate: number | null;
      }[];
    }[];
  };
}

const index = intersectionIndex({ sex, age }, ['sex', 'age']);
const joint = sex.map((s, i) => `${s} × ${age[i]}`);
const counts = (key: ArmKey, attributes = index) =>
  armRuns(key).map((r) => classGroupCounts(labels, r.yPred, attributes, C));

describe('intersectionalFairness', () => {
  it('sex × age at class 2: rates per intersection, DPD/DPR/EOD/EOR with CIs, small groups flagged', async () => {
    const data = await query<IntersectionalAnswer>(IF, {
      id: experimentId,
      attributes: ['sex', 'age'],
      positiveClass: 2,
    });
    const got = data.intersectionalFairness;
    expect(got.attributes).toEqual(['sex', 'age']);
    expect(got.groups).toEqual(['F × old', 'F × young', 'M × old', 'M × young']);
    expect(got.positiveClassName).toBe('fox');
    expect(got.minGroupSize).toBe(30);
    expect(got.method).toBe('between_groups');
    const fOld = joint.filter((g) => g === 'F × old').length;
    expect(fOld).toBeLessThan(30);
    expect(got.smallGroups).toEqual([{ group: 'F × old', values: ['F', 'old'], count: fOld }]);
    expect(got.comparedGroups).toBe(3);
    expect(got.arms.map((a) => a.arm.label)).toEqual(['Teacher', 'NDS', 'KD T=2', 'KD T=4']);
    for (const [i, spec] of armSpecs.entries()) {
      const shown = got.arms[i];
      const expected = intersectionalFairness(counts(spec), { positive: 2 });
      expect(shown?.dpd).toEqual(estimate(expected.demographicParityDifference));
      expect(shown?.dpr).toEqual(estimate(expected.demographicParityRatio));
      expect(shown?.eod).toEqual(estimate(expected.equalizedOddsDifference));
      expect(shown?.eor).toEqual(estimate(expected.equalizedOddsRatio));
      // The rates of each intersection are groupMetrics on its rows at class 2, mean over seeds.
      const perSeed = armRuns(spec).map((r) =>
        groupMetrics(labels, r.yPred, joint, { posLabel: 2 }),
      );
      shown?.groups.forEach((row) => {
        const at = perSeed.map((m) => m.byGroup.find((g) => g.group === row.group));
        const mean = (f: (s: (typeof at)[number]) => number) =>
          at.reduce((sum, s) => sum + f(s), 0) / at.length;
        expect(row.count).toBe(at[0]?.count);
        expect(row.small).toBe(row.group === 'F × old');
        expect(row.selectionRate).toBeCloseTo(
          mean((s) => s?.selectionRate ?? Number.NaN),
          14,
        );
        expect(row.truePositiveRate).toBeCloseTo(
          mean((s) => s?.tpr ?? Number.NaN),
          14,
        );
        expect(row.falsePositiveRate).toBeCloseTo(
          mean((s) => s?.fpr ?? Number.NaN),
          14,
        );
        expect(row.accuracy).toBeCloseTo(
          mean((s) => s?.accuracy ?? Number.NaN),
          14,
        );
      });
    }
  });

  it('one attribute, the class mean and minGroupSize 1: the study summary’s DPD and EOD exactly', async () => {
    const data = await query<IntersectionalAnswer>(IF, {
      id: experimentId,
      attributes: ['sex'],
      minGroupSize: 1,
    });
    const summary = summarizeStudy({
      numClasses: C,
      yTrue: labels,
      runs: studyRuns,
      sensitive: { sex, age },
    });
    const sexRow = summary.groupFairness.find((g) => g.attribute === 'sex');
    expect(data.intersectionalFairness.positiveClass).toBeNull();
    data.intersectionalFairness.arms.forEach((arm, i) => {
      expect(arm.dpd).toEqual(estimate(sexRow?.arms[i]?.dpd as Estimate));
      expect(arm.eod).toEqual(estimate(sexRow?.arms[i]?.eod as Estimate));
      // The class mean of one-vs-rest selection rates is 1/C in every group.
      for (const g of arm.groups) expect(g.selectionRate).toBeCloseTo(1 / C, 14);
    });
  });

  it('to_overall: fairlearn’s other method, with the small intersection left out', async () => {
    const data = await query<IntersectionalAnswer>(IF, {
      id: experimentId,
      attributes: ['age', 'sex'],
      method: 'to_overall',
    });
    const reordered = intersectionIndex({ sex, age }, ['age', 'sex']);
    expect(data.intersectionalFairness.groups).toEqual([
      'old × F',
      'old × M',
      'young × F',
      'young × M',
    ]);
    const teacher = intersectionalFairness(counts(armSpecs[0], reordered), {
      method: 'to_overall',
    });
    expect(data.intersectionalFairness.arms[0]?.dpd).toEqual(
      estimate(teacher.demographicParityDifference),
    );
  });

  it('refuses unknown and repeated attributes, an out-of-range class and a size below 1', async () => {
    const bad = async (variables: object) => {
      const result = await request(IF, { id: experimentId, ...variables });
      return [result.errors?.[0]?.extensions?.code, result.errors?.[0]?.extensions?.argument];
    };
    expect(await bad({ attributes: ['sex', 'race'] })).toEqual(['BAD_USER_INPUT', 'attributes']);
    expect(await bad({ attributes: ['sex', 'sex'] })).toEqual(['BAD_USER_INPUT', 'attributes']);
    expect(await bad({ attributes: [] })).toEqual(['BAD_USER_INPUT', 'attributes']);
    expect(await bad({ attributes: ['sex'], positiveClass: 4 })).toEqual([
      'BAD_USER_INPUT',
      'positiveClass',
    ]);
    expect(await bad({ attributes: ['sex'], minGroupSize: 0 })).toEqual([
      'BAD_USER_INPUT',
      'minGroupSize',
    ]);
  });

  it('keeps the single-attribute groupFairness query as it was', async () => {
    const data = await query<{ groupFairness: { attribute: string; groups: string[] } }>(
      'query($id: ID!) { groupFairness(experimentId: $id, attribute: "age") { attribute groups } }',
      { id: experimentId },
    );
    expect(data.groupFairness).toEqual({ attribute: 'age', groups: ['old', 'young'] });
  });
});

const CGM = `query($id: ID!, $attributes: [String!]!, $baseline: RunRole, $temperature: Float, $worstLimit: Int) {
  classGroupMatrix(experimentId: $id, attributes: $attributes, baseline: $baseline, temperature: $temperature, worstLimit: $worstLimit) {
    attributes groups classNames examples confidence
    arms { arm { label } mean sd }
    changes { baseline from { label } to { label } delta lower upper p adjustedP significantCount testedCount
      worst { cell classIndex className groupIndex group examples accuracyFrom accuracyTo delta lower upper p adjustedP significant } } } }`;

interface MatrixAnswer {
  classGroupMatrix: {
    attributes: string[];
    groups: string[];
    classNames: string[];
    examples: number[];
    confidence: number;
    arms: { arm: { label: string }; mean: (number | null)[]; sd: (number | null)[] }[];
    changes: {
      baseline: string;
      from: { label: string };
      to: { label: string };
      delta: (number | null)[];
      lower: (number | null)[];
      upper: (number | null)[];
      p: (number | null)[];
      adjustedP: (number | null)[];
      significantCount: number;
      testedCount: number;
      worst: {
        cell: number;
        classIndex: number;
        className: string;
        groupIndex: number;
        group: string;
        examples: number;
        accuracyFrom: number | null;
        accuracyTo: number | null;
        delta: number | null;
        lower: number | null;
        upper: number | null;
        p: number | null;
        adjustedP: number | null;
        significant: boolean;
      }[];
    }[];
  };
}

const col = (values: Float64Array) => Array.from(values, n);

describe('classGroupMatrix', () => {
  it('per arm accuracy per (class, group) and every change from teacher and NDS, worst cells first', async () => {
    const data = await query<MatrixAnswer>(CGM, { id: experimentId, attributes: ['sex', 'age'] });
    const got = data.classGroupMatrix;
    expect(got.groups).toEqual(['F × old', 'F × young', 'M × old', 'M × young']);
    expect(got.classNames).toEqual(classNames);
    const teacherCounts = counts(armSpecs[0]);
    expect(got.examples).toEqual(Array.from(teacherCounts[0]?.positives ?? []));
    armSpecs.forEach((spec, i) => {
      const m = armClassGroupAccuracy(counts(spec));
      expect(got.arms[i]?.mean).toEqual(col(m.mean));
      expect(got.arms[i]?.sd).toEqual(col(m.sd));
    });
    expect(got.changes.map((c) => `${c.from.label}→${c.to.label}`)).toEqual([
      'Teacher→KD T=2',
      'NDS→KD T=2',
      'Teacher→KD T=4',
      'NDS→KD T=4',
    ]);
    for (const change of got.changes) {
      const from = armSpecs.find(
        (s) => change.from.label === (s.role === 'teacher' ? 'Teacher' : 'NDS'),
      );
      const to = armSpecs.find((s) => change.to.label === `KD T=${s.temperature}`);
      if (!from || !to) throw new Error('unexpected arm');
      const r = compareClassGroups(counts(from), counts(to), { correction: 'holm' });
      expect(change.delta).toEqual(col(r.delta));
      expect(change.lower).toEqual(col(r.lower));
      expect(change.upper).toEqual(col(r.upper));
      expect(change.p).toEqual(col(r.pValue));
      expect(change.adjustedP).toEqual(col(r.pAdjusted));
      expect(change.significantCount).toBe(r.significantCount);
      expect(change.testedCount).toBe(r.testedCount);
      const worst = Array.from(worstCells(r, { limit: 100 }));
      expect(change.worst.map((w) => w.cell)).toEqual(worst);
      const first = change.worst[0];
      const cell = worst[0] as number;
      expect(first).toEqual({
        cell,
        classIndex: Math.floor(cell / 4),
        className: classNames[Math.floor(cell / 4)],
        groupIndex: cell % 4,
        group: got.groups[cell % 4],
        examples: r.examples[cell],
        accuracyFrom: n(r.meanA[cell] as number),
        accuracyTo: n(r.meanB[cell] as number),
        delta: n(r.delta[cell] as number),
        lower: n(r.lower[cell] as number),
        upper: n(r.upper[cell] as number),
        p: n(r.pValue[cell] as number),
        adjustedP: n(r.pAdjusted[cell] as number),
        significant: r.significant[cell] === 1,
      });
    }
  });

  it('narrows to one baseline and temperature, and limits the worst cells', async () => {
    const data = await query<MatrixAnswer>(CGM, {
      id: experimentId,
      attributes: ['sex', 'age'],
      baseline: 'student',
      temperature: 4,
      worstLimit: 3,
    });
    expect(data.classGroupMatrix.changes.map((c) => `${c.from.label}→${c.to.label}`)).toEqual([
      'NDS→KD T=4',
    ]);
    expect(data.classGroupMatrix.changes[0]?.worst).toHaveLength(3);
    const deltas = data.classGroupMatrix.changes[0]?.worst.map((w) => w.delta as number) ?? [];
    expect(deltas).toEqual([...deltas].sort((a, b) => a - b));
  });

  it('refuses a class × group study of more than 100,000 cells before reading predictions', async () => {
    // 1001 classes × 100 zip codes: the API would hold three counts per cell per run.
    const n = 1000;
    const { experiment, runs } = await recordExperiment(t.warehouse.db, {
      name: 'many-cells',
      dataset: 'imagenet',
      spec: {},
      runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'resnet50' }],
    });
    const many = Int32Array.from({ length: n }, (_, i) => i);
    await recordTestSet(t.warehouse.db, experiment.id, {
      numClasses: 1001,
      labels: many,
      sensitive: { zip: Array.from({ length: n }, (_, i) => i % 100) },
    });
    await saveRunResults(t.warehouse.db, runs[0]?.id ?? '', { predicted: many });
    const result = await request(CGM, { id: experiment.id, attributes: ['zip'] });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain(
      '1001 classes × 100 groups is 100100 cells, more than 100000',
    );
  });

  it('refuses a distilled baseline and an unknown attribute', async () => {
    for (const variables of [
      { attributes: ['sex'], baseline: 'distilled' },
      { attributes: ['height'] },
    ]) {
      const result = await request(CGM, { id: experimentId, ...variables });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('kdlens report --intersect', () => {
  it('adds sex × age tables to the Markdown and JSON report, numbers as @kdlens/metrics computes them', async () => {
    const env = { DATABASE_URL: t.url };
    const md = await runCli(
      [
        'report',
        'celeba-like',
        '--format',
        'markdown',
        '--intersect',
        'sex,age',
        '--positive-class',
        '2',
      ],
      env,
    );
    expect(md.stderr).toBe('');
    expect(md.code).toBe(0);
    const fOld = joint.filter((g) => g === 'F × old').length;
    expect(md.stdout).toContain(
      '### Group fairness for sex × age (between groups; positive class: class 2 (fox); 3 of 4 groups compared, minimum group size 30;',
    );
    expect(md.stdout).toContain(`| F × old | ${fOld} |`);
    // The report's own tables are still there, first.
    expect(md.stdout.indexOf('### Accuracy per arm')).toBeLessThan(md.stdout.indexOf('sex × age'));

    const json = await runCli(
      [
        'report',
        'celeba-like',
        '--json',
        '--intersect',
        'sex,age',
        '--positive-class',
        '2',
        '--worst',
        '3',
      ],
      env,
    );
    expect(json.code).toBe(0);
    const tables = JSON.parse(json.stdout) as { title: string; rows: Record<string, unknown>[] }[];
    const between = tables.find((x) => x.title.startsWith('Group fairness for sex × age (between'));
    const overall = tables.find((x) =>
      x.title.startsWith('Group fairness for sex × age (to overall'),
    );
    const kd4 = intersectionalFairness(counts(armSpecs[3]), { positive: 2 });
    const kd4Overall = intersectionalFairness(counts(armSpecs[3]), {
      positive: 2,
      method: 'to_overall',
    });
    const pick = (e: Estimate) => ({
      mean: n(e.mean),
      sd: n(e.sd),
      lower: n(e.lower),
      upper: n(e.upper),
    });
    expect(between?.rows[3]).toEqual({
      arm: 'KD T=4',
      DPD: pick(kd4.demographicParityDifference),
      DPR: pick(kd4.demographicParityRatio),
      EOD: pick(kd4.equalizedOddsDifference),
      EOR: pick(kd4.equalizedOddsRatio),
    });
    expect(overall?.rows[3]?.DPD).toEqual(pick(kd4Overall.demographicParityDifference));
    const worst = tables.find((x) => x.title.startsWith('Class × sex × age cells that lost most'));
    // Four comparisons (teacher and NDS to each T), three cells each, the largest drop first.
    expect(worst?.rows).toHaveLength(12);
    const r = compareClassGroups(counts(armSpecs[0]), counts(armSpecs[2]), { correction: 'holm' });
    const cell = worstCells(r)[0] as number;
    expect(worst?.rows[0]).toEqual({
      comparison: 'Teacher → KD T=2',
      class: classNames[Math.floor(cell / 4)],
      group: ['F × old', 'F × young', 'M × old', 'M × young'][cell % 4],
      examples: r.examples[cell],
      'accuracy before': n(r.meanA[cell] as number),
      'accuracy after': n(r.meanB[cell] as number),
      change: { mean: r.delta[cell], sd: null, lower: r.lower[cell], upper: r.upper[cell] },
      'adjusted p': n(r.pAdjusted[cell] as number),
    });

    const bad = await runCli(['report', 'celeba-like', '--intersect', 'sex,race'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("attributes: 'race' is not a sensitive attribute here");
  });
});

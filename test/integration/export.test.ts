import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger, type ImportedStudy, writeImportedStudy } from '@kdlens/core';
import { createApiToken, failRun, recordExperiment } from '@kdlens/core/db';
import { exportFormats, exportTables } from '@kdlens/core/export';
import { recordTestSet, saveRunResults } from '@kdlens/core/results';
import { createRandom } from '@kdlens/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../support/api-client.ts';
import { runCli } from '../support/cli.ts';
import {
  type JsonRow,
  parquetColumns,
  parseCsv,
  parseJsonl,
  readParquetDuckdb,
  readParquetHyparquet,
} from '../support/export-readers.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Study A: imported, 5 classes (class 4 has no test examples, so its accuracy is null), dense
// probabilities, two string attributes, a formula-like class name, a name with a space and a
// comma; four arms × three seeds, plus a failed run whose error names a server path. Study B:
// 150 classes with top-3 probabilities, a numeric attribute and no example ids. Study C: planned
// runs only (every table has its columns and no rows). Every expected value is computed here
// from the arrays written, or read from the GraphQL API, never from an earlier export.
const N = 90;
const C = 5;
const STUDY = 'cifar study, v2';
const classNames = ['airplane', '=SUM(A1)', 'cat', 'dog', 'empty'];
const labels = Int32Array.from({ length: N }, (_, i) =>
  i % 9 < 4 ? 0 : i % 9 < 6 ? 1 : i % 9 < 8 ? 2 : 3,
);
const colour = Array.from({ length: N }, (_, i) => ['red', 'green', 'blue'][(i * 7) % 3] as string);
const sex = Array.from({ length: N }, (_, i) => (i % 4 === 0 ? 'female' : 'male'));
const armSpecs = [
  { role: 'teacher', temperature: null, skill: [0.95, 0.9, 0.9, 0.85] },
  { role: 'student', temperature: null, skill: [0.8, 0.55, 0.85, 0.6] },
  { role: 'distilled', temperature: 2, skill: [0.9, 0.8, 0.5, 0.7] },
  { role: 'distilled', temperature: 4, skill: [0.6, 0.85, 0.9, 0.95] },
] as const;
const seeds = [0, 1, 2];
const SECRET_FOLDER = '/srv/kdlens-secret';
const BIG_STUDY = 'big';
const NBIG = 300_000;

const imported: ImportedStudy = (() => {
  const runs = armSpecs.flatMap((arm, a) =>
    seeds.map((seed) => {
      const rnd = createRandom(1000 * a + seed);
      const predicted = Int32Array.from(labels, (y) =>
        rnd.next() < (arm.skill[y] ?? 0) ? y : (y + 1 + rnd.int(3)) % 4,
      );
      // Softmax-like rows: the prediction takes 0.5–0.8, the rest share what is left.
      const probs = new Float32Array(N * C);
      for (let i = 0; i < N; i++) {
        const top = 0.5 + 0.3 * rnd.next();
        const weights = Array.from({ length: C - 1 }, () => rnd.next() + 0.01);
        const sum = weights.reduce((s, w) => s + w, 0);
        let k = 0;
        for (let c = 0; c < C; c++) {
          probs[i * C + c] =
            c === predicted[i] ? top : ((weights[k++] as number) / sum) * (1 - top);
        }
      }
      return {
        file: `${arm.role}-${arm.temperature ?? ''}-${seed}.csv`,
        role: arm.role,
        temperature: arm.temperature,
        seed,
        architecture: arm.role === 'teacher' ? 'resnet56' : 'resnet20',
        predicted,
        probs,
      };
    }),
  );
  return {
    testSet: {
      ids: Array.from({ length: N }, (_, i) => `img_${i}`),
      labels,
      numClasses: C,
      classNames,
      sensitive: { colour, sex },
    },
    runs,
  };
})();

// Study B: top-3 of 150 classes.
const NB = 40;
const CB = 150;
const KB = 3;
const labelsB = Int32Array.from({ length: NB }, (_, i) => (i * 37) % CB);
const ageB = Array.from({ length: NB }, (_, i) => (i % 3 === 0 ? 1 : 0));
const topB = new Map<string, { predicted: Int32Array; ids: Int32Array; values: Float32Array }>();

let t: TestDatabase;
let api: ApiServer;
let anonymousApi: ApiServer;
let base = '';
let viewer = '';
let operator = '';
let experimentId = '';
const failedError = `ENOENT: no such file or directory, open '${SECRET_FOLDER}/cifar/data_batch_1.bin'`;

interface Download {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** node:http rather than fetch, which will not send a Host header of the caller's choosing. */
function download(
  path: string,
  opts: { token?: string; headers?: Record<string, string>; method?: string; url?: string } = {},
): Promise<Download> {
  const target = new URL(path, opts.url ?? base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: opts.method ?? 'GET',
        headers: {
          ...(opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` }),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const exportPath = (experiment: string, table: string, format: string) =>
  `/export/${encodeURIComponent(experiment)}/${table}.${format}`;

async function exported(table: string, format: string, experiment = STUDY, query = '') {
  const d = await download(`${exportPath(experiment, table, format)}${query}`, { token: viewer });
  expect(d.status, d.text.slice(0, 300)).toBe(200);
  return d;
}

/** A CSV cell as the JSON value it stands for, given the column's Parquet type. */
function csvValue(cell: string, type: string | undefined, converted: string | undefined): unknown {
  if (cell === '') return null;
  if (type === 'BOOLEAN') return cell === 'true';
  if (type === 'INT32' || type === 'DOUBLE' || type === 'FLOAT') return Number(cell);
  if (converted === 'TIMESTAMP_MILLIS') return cell;
  // Formula-safe text: a leading quote was added before = + - @ tab CR.
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** JSON Lines rows (the reference) against the other readers' rows, column by column. */
function expectSameRows(
  reference: JsonRow[],
  other: JsonRow[],
  columns: ReturnType<typeof parquetColumns>,
  reader: string,
): void {
  expect(other.length, reader).toBe(reference.length);
  for (const [r, row] of reference.entries()) {
    const got = other[r] as JsonRow;
    for (const c of columns) {
      const want = row[c.name];
      const value = got[c.name];
      const where = `${reader} row ${r} ${c.name}`;
      if (want === null || want === undefined) {
        expect(value ?? null, where).toBeNull();
      } else if (c.type === 'FLOAT') {
        // Text holds the shortest decimal that reads back as the float32; Parquet the float32.
        expect(Math.fround(Number(value)), where).toBe(Math.fround(Number(want)));
        if (reader.endsWith('csv')) expect(value, where).toBe(want);
        else expect(value, where).toBe(Math.fround(Number(want)));
      } else if (c.converted === 'TIMESTAMP_MILLIS') {
        expect(new Date(value as string | Date).toISOString(), where).toBe(want);
      } else {
        expect(value, where).toEqual(want);
      }
    }
  }
}

beforeAll(async () => {
  t = await createTestDatabase('export');
  const { db } = t.warehouse;
  const outcome = await writeImportedStudy(
    db,
    { experiment: STUDY, dataset: 'cifar10', files: [] },
    imported,
  );
  experimentId = outcome.experimentId;
  // A run that failed reading its data: its error names a folder only operators may see.
  const withFailed = await recordExperiment(db, {
    name: STUDY,
    dataset: 'cifar10',
    spec: {},
    runs: [{ role: 'distilled', temperature: 8, seed: 0, architecture: 'resnet20' }],
  });
  const failed = withFailed.runs.find((r) => r.temperature === 8);
  if (!failed) throw new Error('the failed run was not recorded');
  await failRun(db, failed.id, 'failed', failedError);

  const b = await recordExperiment(db, {
    name: 'imagenet-topk',
    dataset: 'imagenet',
    spec: {
      teacher: {
        architecture: 'resnet50',
        epochs: 90,
        batchSize: 256,
        learningRate: 0.1,
        optimizer: { name: 'sgd' },
        schedule: { name: 'step' },
      },
      student: {
        architecture: 'resnet18',
        epochs: 60,
        batchSize: 128,
        learningRate: 0.05,
        optimizer: { name: 'adam' },
        schedule: { name: 'cosine' },
        pretrained: `${SECRET_FOLDER}/weights`,
      },
      kd: { alpha: 0.8 },
    },
    runs: ['teacher', 'student'].flatMap((role) =>
      [0, 1].map((seed) => ({
        role: role as 'teacher' | 'student',
        temperature: null,
        seed,
        architecture: role === 'teacher' ? 'resnet50' : 'resnet18',
      })),
    ),
  });
  await recordTestSet(db, b.experiment.id, {
    numClasses: CB,
    labels: labelsB,
    sensitive: { age: ageB },
  });
  for (const [r, run] of b.runs.entries()) {
    const rnd = createRandom(77 + r);
    const predicted = Int32Array.from(labelsB, (y) => (rnd.next() < 0.7 ? y : (y + 1) % CB));
    const ids = new Int32Array(NB * KB);
    const values = new Float32Array(NB * KB);
    for (let i = 0; i < NB; i++) {
      let mass = 0.5 + 0.4 * rnd.next();
      for (let j = 0; j < KB; j++) {
        ids[i * KB + j] = ((predicted[i] as number) + j) % CB;
        values[i * KB + j] = mass;
        mass *= 0.3;
      }
    }
    topB.set(run.id, { predicted, ids, values });
    await saveRunResults(db, run.id, {
      predicted,
      probabilities: { kind: 'top-k', k: KB, ids, values },
    });
  }
  // Downloads that cannot finish while their client holds off reading: tens of MB, more than the
  // loopback socket buffers take, so the server is still streaming when the test asks again.
  const big = await recordExperiment(db, {
    name: BIG_STUDY,
    dataset: 'cifar10',
    spec: {},
    runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'resnet20' }],
  });
  const bigLabels = Int32Array.from({ length: NBIG }, (_, i) => i % 10);
  await recordTestSet(db, big.experiment.id, { numClasses: 10, labels: bigLabels, sensitive: {} });
  await saveRunResults(db, big.runs[0]?.id ?? '', {
    predicted: bigLabels,
    probabilities: {
      kind: 'dense',
      numClasses: 10,
      values: Float32Array.from({ length: NBIG * 10 }, (_, i) => (i % 10 === 0 ? 0.91 : 0.01)),
    },
  });
  await recordExperiment(db, {
    name: 'planned-only',
    dataset: 'cifar10',
    spec: {},
    runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'resnet56' }],
  });

  viewer = (await createApiToken(db, { name: 'viewer', role: 'viewer' })).token;
  operator = (await createApiToken(db, { name: 'operator', role: 'operator' })).token;
  const log = createLogger('warn', 'export-test');
  api = await startApiServer({
    db,
    log,
    host: '127.0.0.1',
    port: 0,
    serverFolders: [SECRET_FOLDER],
    responseCache: false,
  });
  base = api.url.replace(/\/graphql$/, '');
  anonymousApi = await startApiServer({
    db,
    log,
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: true,
    serverFolders: [SECRET_FOLDER],
    responseCache: false,
  });
});

afterAll(async () => {
  await api?.stop();
  await anonymousApi?.stop();
  await t?.drop();
});

async function graphql<T>(query: string, variables: object = {}): Promise<T> {
  const r = await gql<T>(api.url, query, { token: viewer, variables });
  if (r.errors.length > 0) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r.data as T;
}

describe('GET /export/<experiment>/<table>.<format>', () => {
  it('serves every table in every format: same rows, typed columns, nulls where absent', async () => {
    for (const experiment of [STUDY, 'imagenet-topk', 'planned-only']) {
      for (const table of exportTables) {
        const jsonl = await exported(table, 'jsonl', experiment);
        const csv = await exported(table, 'csv', experiment);
        const parquet = await exported(table, 'parquet', experiment);
        expect(jsonl.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
        expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(parquet.headers['content-type']).toBe('application/vnd.apache.parquet');
        const ascii = `${experiment.replace(/[^A-Za-z0-9._-]/g, '_')}-${table}.parquet`;
        expect(parquet.headers['content-disposition']).toBe(
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(`${experiment}-${table}.parquet`)}`,
        );
        expect(parquet.headers['cache-control']).toBe('private, no-store');

        const reference = parseJsonl(jsonl.text);
        const columns = parquetColumns(parquet.body);
        // Every format names the same columns in the same order.
        const [header = [], ...body] = parseCsv(csv.text);
        expect(header).toEqual(columns.map((c) => c.name));
        for (const row of reference) expect(Object.keys(row)).toEqual(header);
        // Typed: only these physical types; required columns never hold a null.
        for (const c of columns) {
          expect(['INT32', 'DOUBLE', 'FLOAT', 'BYTE_ARRAY', 'BOOLEAN', 'INT64']).toContain(c.type);
          if (c.type === 'BYTE_ARRAY') expect(c.converted).toBe('UTF8');
          if (c.type === 'INT64') expect(c.converted).toBe('TIMESTAMP_MILLIS');
          if (c.repetition === 'REQUIRED') {
            for (const row of reference) expect(row[c.name], `${table}.${c.name}`).not.toBeNull();
          }
        }
        const fromCsv = body.map((cells) =>
          Object.fromEntries(
            columns.map((c, i) => [c.name, csvValue(cells[i] ?? '', c.type, c.converted)]),
          ),
        );
        expectSameRows(reference, fromCsv, columns, `${experiment} ${table} csv`);
        expectSameRows(
          reference,
          await readParquetHyparquet(parquet.body),
          columns,
          `${experiment} ${table} hyparquet`,
        );
        const duck = await readParquetDuckdb(parquet.body);
        expectSameRows(reference, duck.rows, columns, `${experiment} ${table} duckdb`);
        const duckType: Record<string, string> = {
          INT32: 'INTEGER',
          DOUBLE: 'DOUBLE',
          FLOAT: 'FLOAT',
          BYTE_ARRAY: 'VARCHAR',
          BOOLEAN: 'BOOLEAN',
          INT64: 'TIMESTAMP',
        };
        for (const c of columns) expect(duck.types[c.name]).toBe(duckType[c.type ?? '']);
        if (experiment === 'planned-only' && table !== 'runs') expect(reference).toEqual([]);
      }
    }
  });

  it('writes formula-like text with a leading quote in CSV only', async () => {
    const csv = (await exported('class-accuracy', 'csv')).text;
    expect(csv).toContain(",'=SUM(A1),");
    expect(csv).toContain('"cifar study, v2"');
    const jsonl = parseJsonl((await exported('class-accuracy', 'jsonl')).text);
    expect(jsonl.some((r) => r.class_name === '=SUM(A1)')).toBe(true);
  });

  it('predictions: every stored prediction, probability and attribute, run by run', async () => {
    const rows = parseJsonl((await exported('predictions', 'jsonl')).text);
    const runs = await graphql<{
      experiment: {
        runs: {
          id: string;
          role: string;
          temperature: number | null;
          seed: number;
          status: string;
        }[];
      };
    }>('query($id: ID!) { experiment(id: $id) { runs { id role temperature seed status } } }', {
      id: experimentId,
    });
    const withResults = runs.experiment.runs.filter((r) => r.status === 'succeeded');
    expect(withResults).toHaveLength(imported.runs.length);
    expect(rows).toHaveLength(imported.runs.length * N);
    // Teacher, NDS, KD by T, each by seed; examples in the stable order.
    const order = ['teacher:', 'student:', 'distilled:2', 'distilled:4'];
    const expectedRuns = [...imported.runs].sort(
      (a, b) =>
        order.indexOf(`${a.role}:${a.temperature ?? ''}`) -
          order.indexOf(`${b.role}:${b.temperature ?? ''}`) || a.seed - b.seed,
    );
    for (const [r, run] of expectedRuns.entries()) {
      const runId = withResults.find(
        (x) => x.role === run.role && x.temperature === run.temperature && x.seed === run.seed,
      )?.id;
      for (let i = 0; i < N; i++) {
        const row = rows[r * N + i] as JsonRow;
        const probs = Object.fromEntries(
          Array.from({ length: C }, (_, c) => [`prob_${c}`, Math.fround(Number(row[`prob_${c}`]))]),
        );
        expect(row).toMatchObject({
          experiment: STUDY,
          run_id: runId,
          role: run.role,
          temperature: run.temperature,
          seed: run.seed,
          architecture: run.architecture,
          example_index: i,
          example_id: `img_${i}`,
          label: labels[i],
          pred: run.predicted[i],
          attr_colour: colour[i],
          attr_sex: sex[i],
        });
        expect(probs).toEqual(
          Object.fromEntries(
            Array.from({ length: C }, (_, c) => [`prob_${c}`, run.probs?.[i * C + c]]),
          ),
        );
      }
    }

    // Study B: top-k columns, a numeric attribute, no example ids.
    const parquet = (await exported('predictions', 'parquet', 'imagenet-topk')).body;
    const columns = parquetColumns(parquet);
    expect(columns.map((c) => c.name).slice(6)).toEqual([
      'example_index',
      'example_id',
      'label',
      'pred',
      'top1_class',
      'top1_prob',
      'top2_class',
      'top2_prob',
      'top3_class',
      'top3_prob',
      'attr_age',
    ]);
    expect(columns.find((c) => c.name === 'attr_age')).toMatchObject({ type: 'INT32' });
    expect(columns.find((c) => c.name === 'top1_prob')).toMatchObject({ type: 'FLOAT' });
    const topRows = await readParquetHyparquet(parquet);
    expect(topRows).toHaveLength(topB.size * NB);
    for (const row of topRows) {
      const stored = topB.get(String(row.run_id));
      const i = Number(row.example_index);
      if (!stored) throw new Error(`unknown run ${String(row.run_id)}`);
      expect(row.example_id).toBeNull();
      expect(row.label).toBe(labelsB[i]);
      expect(row.pred).toBe(stored.predicted[i]);
      expect(row.attr_age).toBe(ageB[i]);
      for (let j = 0; j < KB; j++) {
        expect(row[`top${j + 1}_class`]).toBe(stored.ids[i * KB + j]);
        expect(row[`top${j + 1}_prob`]).toBe(stored.values[i * KB + j]);
      }
    }
  });

  it('class-comparison, significance, fairness, groups, class-accuracy and runs equal the GraphQL answers', async () => {
    const arms = [
      { role: 'teacher', temperature: null, label: 'Teacher' },
      { role: 'student', temperature: null, label: 'NDS' },
      { role: 'distilled', temperature: 2, label: 'KD T=2' },
      { role: 'distilled', temperature: 4, label: 'KD T=4' },
    ];
    const comparison = parseJsonl((await exported('class-comparison', 'jsonl')).text);
    // Every pair a before b, three corrections, five classes.
    expect(comparison).toHaveLength(6 * 3 * C);
    for (const [i, a] of arms.entries()) {
      for (const b of arms.slice(i + 1)) {
        for (const correction of ['none', 'holm', 'bh']) {
          const answer = await graphql<{ classComparison: { rows: JsonRow[] } }>(
            `query($id: ID!, $a: ArmInput!, $b: ArmInput!, $c: Correction!) {
              classComparison(experimentId: $id, a: $a, b: $b, correction: $c) {
                rows { classIndex className accuracyA accuracyB statisticA statisticB sdA sdB delta t df p adjustedP significant }
              } }`,
            {
              id: experimentId,
              a: { role: a.role, temperature: a.temperature },
              b: { role: b.role, temperature: b.temperature },
              c: correction,
            },
          );
          const rows = comparison.filter(
            (r) => r.arm_a === a.label && r.arm_b === b.label && r.correction === correction,
          );
          expect(
            rows.map((r) => ({
              classIndex: r.class_index,
              className: r.class_name,
              accuracyA: r.accuracy_a,
              accuracyB: r.accuracy_b,
              statisticA: r.statistic_a,
              statisticB: r.statistic_b,
              sdA: r.sd_a,
              sdB: r.sd_b,
              delta: r.delta,
              t: r.t,
              df: r.df,
              p: r.p,
              adjustedP: r.adjusted_p,
              significant: r.significant,
            })),
          ).toEqual(answer.classComparison.rows);
        }
      }
    }
    // The study must exercise the interesting paths: some class significant, one untested.
    expect(comparison.some((r) => r.significant === true)).toBe(true);
    expect(comparison.some((r) => r.class_index === 4 && r.p === null)).toBe(true);

    const sweep = await graphql<{
      significanceSweep: { rows: { temperature: number; sc: JsonRow; tc: JsonRow }[] };
    }>(
      'query($id: ID!) { significanceSweep(experimentId: $id) { rows { temperature sc { raw holm bh tested } tc { raw holm bh tested } } } }',
      { id: experimentId },
    );
    const significance = parseJsonl((await exported('significance', 'jsonl')).text);
    expect(significance).toEqual(
      sweep.significanceSweep.rows.flatMap((row) =>
        [
          ['SC', 'NDS', row.sc],
          ['TC', 'Teacher', row.tc],
        ].map(([comparison, baseline, counts]) => ({
          experiment: STUDY,
          statistic: 'normalized',
          alpha: 0.05,
          temperature: row.temperature,
          comparison,
          baseline,
          ...(counts as JsonRow),
        })),
      ),
    );

    const fairness = parseJsonl((await exported('fairness', 'jsonl')).text);
    const groups = parseJsonl((await exported('groups', 'jsonl')).text);
    for (const attribute of ['colour', 'sex']) {
      const answer = await graphql<{
        groupFairness: {
          stale: boolean;
          arms: {
            arm: { label: string; seeds: number[] };
            dpd: JsonRow;
            eod: JsonRow;
            groups: JsonRow[];
          }[];
        };
      }>(
        `query($id: ID!, $attribute: String!) { groupFairness(experimentId: $id, attribute: $attribute) {
          stale arms { arm { label seeds } dpd { mean sd lower upper } eod { mean sd lower upper }
            groups { group count accuracy selectionRate truePositiveRate falsePositiveRate } } } }`,
        { id: experimentId, attribute },
      );
      expect(answer.groupFairness.arms).toHaveLength(4);
      for (const arm of answer.groupFairness.arms) {
        for (const metric of ['dpd', 'eod'] as const) {
          const row = fairness.find(
            (r) => r.attribute === attribute && r.arm === arm.arm.label && r.metric === metric,
          );
          expect(row).toMatchObject({
            mean: arm[metric].mean,
            sd: arm[metric].sd,
            ci_lower: arm[metric].lower,
            ci_upper: arm[metric].upper,
            ci_level: 0.95,
            seeds: arm.arm.seeds.length,
            summary_stale: answer.groupFairness.stale,
          });
        }
        // The API shows each group's mean over the arm's seeds of the per-run rows exported.
        for (const g of arm.groups) {
          const perRun = groups.filter(
            (r) =>
              r.attribute === attribute &&
              r.group === g.group &&
              arms.find((a) => a.label === arm.arm.label)?.role === r.role &&
              (arms.find((a) => a.label === arm.arm.label)?.temperature ?? null) === r.temperature,
          );
          expect(perRun).toHaveLength(seeds.length);
          const mean = (key: string) =>
            perRun.reduce((s, r) => s + Number(r[key]), 0) / perRun.length;
          expect(perRun[0]?.count).toBe(g.count);
          expect(mean('accuracy')).toBeCloseTo(Number(g.accuracy), 14);
          expect(mean('selection_rate')).toBeCloseTo(Number(g.selectionRate), 14);
          expect(mean('tpr')).toBeCloseTo(Number(g.truePositiveRate), 14);
          expect(mean('fpr')).toBeCloseTo(Number(g.falsePositiveRate), 14);
        }
      }
    }

    const classAccuracy = parseJsonl((await exported('class-accuracy', 'jsonl')).text);
    const runsTable = parseJsonl((await exported('runs', 'jsonl')).text);
    const answer = await graphql<{
      experiment: {
        runs: {
          id: string;
          accuracy: number | null;
          classAccuracy: (number | null)[] | null;
          backend: string | null;
          teacherOutputs: string | null;
          status: string;
          attempt: number;
        }[];
      };
    }>(
      'query($id: ID!) { experiment(id: $id) { runs { id accuracy classAccuracy backend teacherOutputs status attempt } } }',
      {
        id: experimentId,
      },
    );
    expect(runsTable).toHaveLength(answer.experiment.runs.length);
    const counts = Array.from({ length: C }, (_, c) => labels.filter((y) => y === c).length);
    for (const run of answer.experiment.runs) {
      expect(runsTable.find((r) => r.run_id === run.id)).toMatchObject({
        accuracy: run.accuracy,
        backend: run.backend,
        teacher_outputs: run.teacherOutputs,
        status: run.status,
        attempt: run.attempt,
      });
      const perClass = classAccuracy.filter((r) => r.run_id === run.id);
      if (run.classAccuracy === null) {
        expect(perClass).toEqual([]);
        continue;
      }
      expect(perClass.map((r) => r.accuracy)).toEqual(run.classAccuracy);
      expect(perClass.map((r) => r.examples)).toEqual(counts);
      expect(perClass.map((r) => r.class_name)).toEqual(classNames);
    }
  });

  it('alpha and statistic shape class-comparison and significance as the GraphQL arguments do', async () => {
    const rows = parseJsonl(
      (await exported('class-comparison', 'jsonl', STUDY, '?alpha=0.2&statistic=raw')).text,
    ).filter((r) => r.arm_a === 'NDS' && r.arm_b === 'KD T=4' && r.correction === 'bh');
    const answer = await graphql<{
      classComparison: {
        rows: {
          p: number | null;
          adjustedP: number | null;
          significant: boolean;
          delta: number | null;
        }[];
      };
    }>(
      `query($id: ID!) { classComparison(experimentId: $id, a: {role: student}, b: {role: distilled, temperature: 4},
        statistic: raw, correction: bh, alpha: 0.2) { rows { p adjustedP significant delta } } }`,
      { id: experimentId },
    );
    expect(
      rows.map((r) => ({
        p: r.p,
        adjustedP: r.adjusted_p,
        significant: r.significant,
        delta: r.delta,
      })),
    ).toEqual(answer.classComparison.rows);
    expect(rows.every((r) => r.alpha === 0.2 && r.statistic === 'raw')).toBe(true);
    const sweep = await graphql<{ significanceSweep: { rows: { sc: { raw: number } }[] } }>(
      'query($id: ID!) { significanceSweep(experimentId: $id, alpha: 0.2, statistic: raw) { rows { sc { raw } } } }',
      { id: experimentId },
    );
    const significance = parseJsonl(
      (await exported('significance', 'jsonl', STUDY, '?alpha=0.2&statistic=raw')).text,
    ).filter((r) => r.comparison === 'SC');
    expect(significance.map((r) => r.raw)).toEqual(
      sweep.significanceSweep.rows.map((r) => r.sc.raw),
    );
  });

  it("shows a run's server paths to operators only, as the API's Run.error does", async () => {
    const asViewer = parseJsonl((await exported('runs', 'jsonl')).text);
    const asOperator = parseJsonl(
      (await download(exportPath(STUDY, 'runs', 'jsonl'), { token: operator })).text,
    );
    const failedViewer = asViewer.find((r) => r.status === 'failed');
    const failedOperator = asOperator.find((r) => r.status === 'failed');
    expect(failedOperator?.error).toBe(failedError);
    expect(failedViewer?.error).toBe("ENOENT: no such file or directory, open '<cifar10>'");
    const gqlError = await graphql<{ run: { error: string } }>(
      'query($id: ID!) { run(id: $id) { error } }',
      {
        id: failedViewer?.run_id,
      },
    );
    expect(failedViewer?.error).toBe(gqlError.run.error);
    // Settings come from the spec; the pretrained folder only as a flag.
    const topk = (await exported('runs', 'csv', 'imagenet-topk')).text;
    expect(topk).not.toContain(SECRET_FOLDER);
    const topkRows = parseJsonl((await exported('runs', 'jsonl', 'imagenet-topk')).text);
    expect(topkRows.find((r) => r.role === 'student')).toMatchObject({
      epochs: 60,
      batch_size: 128,
      learning_rate: 0.05,
      optimizer: 'adam',
      schedule: 'cosine',
      pretrained: true,
      kd_alpha: null,
    });
    expect(topkRows.find((r) => r.role === 'teacher')).toMatchObject({
      epochs: 90,
      pretrained: false,
    });
  });

  it('addresses the experiment by id or by name', async () => {
    const byName = await exported('class-accuracy', 'csv');
    const byId = await exported('class-accuracy', 'csv', experimentId);
    expect(byId.body.equals(byName.body)).toBe(true);
    expect(byId.headers['content-disposition']).toContain(
      'cifar%20study%2C%20v2-class-accuracy.csv',
    );
  });

  it('reads exactly as a GraphQL read: token, anonymous on loopback, Host gate; no cookie', async () => {
    const path = exportPath(STUDY, 'significance', 'csv');
    const none = await download(path);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const bad = await download(path, { token: 'kdl_not-a-token' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.text).errors[0].message).toContain('unknown or revoked');
    const malformed = await download(path, { headers: { authorization: 'Basic abc' } });
    expect(malformed.status).toBe(401);
    // The web's sign-in cookie is no credential here: a page on another site could otherwise make
    // a signed-in browser start exports (browsers download through the web app's own route).
    const cookie = await download(path, {
      headers: { cookie: `theme=dark; kdlens_token=${viewer}` },
    });
    expect(cookie.status).toBe(401);
    const anonUrl = anonymousApi.url.replace(/\/graphql$/, '');
    const anonymous = await download(path, { url: anonUrl });
    expect(anonymous.status).toBe(200);
    const rebinding = await download(path, { url: anonUrl, headers: { host: 'attacker.example' } });
    expect(rebinding.status).toBe(403);
    expect(JSON.parse(rebinding.text).errors[0].extensions.code).toBe('FORBIDDEN_HOST');
    // With a token, the Host does not matter (as for GraphQL).
    const tokenForeign = await download(path, {
      url: anonUrl,
      token: viewer,
      headers: { host: 'kdlens.example.org' },
    });
    expect(tokenForeign.status).toBe(200);
    // Anonymous readers are viewers: no server paths.
    const runs = parseJsonl(
      (await download(exportPath(STUDY, 'runs', 'jsonl'), { url: anonUrl })).text,
    );
    expect(JSON.stringify(runs)).not.toContain(SECRET_FOLDER);
  });

  it('names the bad argument (404 or 400) and leaks no server path', async () => {
    const cases: [string, number, string, string][] = [
      [
        exportPath('no such study', 'runs', 'csv'),
        404,
        'NOT_FOUND',
        'experiment: no experiment is named or has the id "no such study"',
      ],
      [
        exportPath(STUDY, 'clases', 'csv'),
        400,
        'BAD_USER_INPUT',
        'table: "clases" is not one of predictions, class-accuracy, class-comparison, significance, groups, fairness, runs',
      ],
      [
        exportPath(STUDY, 'runs', 'xlsx'),
        400,
        'BAD_USER_INPUT',
        'format: "xlsx" is not one of csv, parquet, jsonl',
      ],
      [
        `${exportPath(STUDY, 'significance', 'csv')}?alpha=2`,
        400,
        'BAD_USER_INPUT',
        'alpha: must be a number in [0, 1], not "2"',
      ],
      [
        `${exportPath(STUDY, 'runs', 'csv')}?alpha=0.1`,
        400,
        'BAD_USER_INPUT',
        'alpha: applies to the class-comparison and significance tables only, not runs',
      ],
      [
        `${exportPath(STUDY, 'runs', 'csv')}?format=csv`,
        400,
        'BAD_USER_INPUT',
        'bad request: unknown query parameter "format"; exports take alpha and statistic',
      ],
      [
        '/export/only-one-segment',
        404,
        'NOT_FOUND',
        'not found: exports are at /export/<experiment name or id>/<table>.<format>; tables: predictions, class-accuracy, class-comparison, significance, groups, fairness, runs; formats: csv, parquet, jsonl',
      ],
      [
        '/export/%E0%A4%A/runs.csv',
        400,
        'BAD_USER_INPUT',
        'bad request: the export path is not valid percent-encoding',
      ],
    ];
    for (const [path, status, code, message] of cases) {
      const d = await download(path, { token: viewer });
      expect(d.status, path).toBe(status);
      expect(d.headers['content-type']).toBe('application/json');
      expect(JSON.parse(d.text)).toEqual({ errors: [{ message, extensions: { code } }] });
      expect(d.text).not.toMatch(/\/(srv|work|home|tmp|usr)\/|at .*\.ts/);
    }
    const post = await download(exportPath(STUDY, 'runs', 'csv'), {
      token: viewer,
      method: 'POST',
    });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await download(exportPath(STUDY, 'runs', 'parquet'), {
      token: viewer,
      method: 'HEAD',
    });
    expect(head.status).toBe(200);
    expect(head.headers['content-disposition']).toContain('runs.parquet');
    expect(head.body.length).toBe(0);
  });

  it('lets a caller stream 2 exports at once, refusing a third with RATE_LIMITED', async () => {
    const held = await Promise.all(
      [0, 1].map(async () => {
        const controller = new AbortController();
        const response = await fetch(`${base}${exportPath(BIG_STUDY, 'predictions', 'csv')}`, {
          headers: { authorization: `Bearer ${viewer}` },
          signal: controller.signal,
        });
        expect(response.status).toBe(200);
        const reader = response.body?.getReader();
        await reader?.read();
        return { controller, reader };
      }),
    );
    try {
      const third = await download(exportPath(STUDY, 'runs', 'csv'), { token: viewer });
      expect(third.status).toBe(429);
      expect(third.headers['retry-after']).toBe('5');
      expect(JSON.parse(third.text).errors[0].extensions.code).toBe('RATE_LIMITED');
      // Another caller is not held up by this one's downloads, nor is GraphQL.
      expect((await download(exportPath(STUDY, 'runs', 'csv'), { token: operator })).status).toBe(
        200,
      );
    } finally {
      for (const { controller, reader } of held) {
        controller.abort();
        await reader?.cancel().catch(() => undefined);
      }
    }
  });

  it('stops reading and frees its request slot when the client hangs up mid-download', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}${exportPath(STUDY, 'predictions', 'csv')}`, {
      headers: { authorization: `Bearer ${viewer}` },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    await reader?.cancel().catch(() => undefined);
    // Its snapshot's connection goes back to the pool once the stream has unwound: no transaction
    // is left open. Counted by xact_start, not by state: a snapshot still finishing its batch is
    // 'active' between its 'idle in transaction' spells, and must not pass for closed. Polled (the
    // unwinding is asynchronous) up to a bound that only a leak reaches.
    const openTransactions = async () =>
      (
        await t.warehouse.db.$client.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and backend_type = 'client backend' and xact_start is not null and pid <> pg_backend_pid()",
        )
      ).rows[0]?.n as number;
    const deadline = Date.now() + 20_000;
    let open = await openTransactions();
    while ((api.stats().callers.running > 0 || open > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      open = await openTransactions();
    }
    expect(api.stats().callers.running).toBe(0);
    expect(open).toBe(0);
    expect((await exported('significance', 'csv')).status).toBe(200);
  });
});

describe('kdlens export', () => {
  it('writes the same file as the API, and names a bad argument by its flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kdlens-export-'));
    try {
      const out = join(dir, 'comparison.parquet');
      const env = { DATABASE_URL: t.url };
      const run = await runCli(['export', STUDY, '--table', 'class-comparison', '--out', out], env);
      expect(run.stderr).toContain(`class-comparison as parquet → ${out}`);
      expect(run.code).toBe(0);
      const http = await download(exportPath(STUDY, 'class-comparison', 'parquet'), {
        token: operator,
      });
      expect((await readFile(out)).equals(http.body)).toBe(true);

      const stdout = await runCli(
        ['export', experimentId, '--table', 'runs', '--format', 'csv'],
        env,
      );
      expect(stdout.code).toBe(0);
      // The CLI is the server's owner: it sees paths, as an operator does.
      expect(stdout.stdout).toBe(
        (await download(exportPath(STUDY, 'runs', 'csv'), { token: operator })).text,
      );

      const badTable = await runCli(['export', STUDY, '--table', 'clases'], env);
      expect(badTable.code).toBe(1);
      expect(badTable.stderr.trim()).toBe(
        'kdlens: --table: "clases" is not one of predictions, class-accuracy, class-comparison, significance, groups, fairness, runs',
      );
      const missing = await runCli(
        ['export', 'nope', '--table', 'runs', '--out', join(dir, 'x.csv')],
        env,
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe(
        'kdlens: <experiment>: no experiment is named or has the id "nope"',
      );
      // Nothing is left behind by a failed export.
      expect(existsSync(join(dir, 'x.csv'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const python = '/usr/bin/python3';
const execFileAsync = promisify(execFile);

async function pandasAvailable(): Promise<string | null> {
  if (!existsSync(python)) return `${python} is missing`;
  try {
    await execFileAsync(python, ['-c', 'import pandas']);
    return null;
  } catch {
    return `${python} has no pandas (apt-get install python3-pandas)`;
  }
}

describe('pandas', () => {
  it("reads the CSV exports with docs/graphql.md's one-liner", async () => {
    const missing = await pandasAvailable();
    if (missing !== null) {
      // CI installs python3-pandas (.ci/run): there a missing pandas is a failure, not a skip.
      if (process.env.CI) throw new Error(`pandas is needed under CI: ${missing}`);
      console.log(`skipped: pandas cannot be tested here: ${missing}`);
      return;
    }
    const script = `
import json, sys
import pandas as pd
api, name, token = sys.argv[1], sys.argv[2], sys.argv[3]
df = pd.read_csv(f"{api}/export/{name}/class-comparison.csv", storage_options={"Authorization": f"Bearer {token}"})
pr = pd.read_csv(f"{api}/export/{name}/predictions.csv", storage_options={"Authorization": f"Bearer {token}"})
js = pd.read_json(f"{api}/export/{name}/class-comparison.jsonl", lines=True, precise_float=True, storage_options={"Authorization": f"Bearer {token}"})
holm = df[(df.correction == "holm") & (df.arm_a == "NDS") & (df.arm_b == "KD T=4")]
exact = pd.read_csv(f"{api}/export/{name}/class-comparison.csv", storage_options={"Authorization": f"Bearer {token}"}, float_precision="round_trip")
exact = exact[(exact.correction == "holm") & (exact.arm_a == "NDS") & (exact.arm_b == "KD T=4")]
print(json.dumps({
  "shape": list(df.shape),
  "dtypes": {c: str(t) for c, t in df.dtypes.items()},
  "significant": int(holm.significant.sum()),
  "p": [None if pd.isna(v) else float(v) for v in holm.p],
  "p_exact": [None if pd.isna(v) else float(v) for v in exact.p],
  "classes": list(holm.class_name),
  "predictions": list(pr.shape),
  "jsonl_shape": list(js.shape),
  "jsonl_columns": list(js.columns) == list(df.columns),
  "jsonl_p": [None if pd.isna(v) else float(v) for v in js[(js.correction == "holm") & (js.arm_a == "NDS") & (js.arm_b == "KD T=4")].p],
  "prob_dtype": str(pr.prob_0.dtype),
  "accuracy": float((pr[pr.role == "teacher"].label == pr[pr.role == "teacher"].pred).mean()),
}))
`;
    const { stdout } = await execFileAsync(python, [
      '-c',
      script,
      base,
      encodeURIComponent(STUDY),
      viewer,
    ]);
    const result = JSON.parse(stdout) as {
      shape: number[];
      dtypes: Record<string, string>;
      significant: number;
      p: (number | null)[];
      p_exact: (number | null)[];
      classes: string[];
      predictions: number[];
      jsonl_shape: number[];
      jsonl_columns: boolean;
      jsonl_p: (number | null)[];
      prob_dtype: string;
      accuracy: number;
    };
    const reference = parseJsonl((await exported('class-comparison', 'jsonl')).text);
    expect(result.shape).toEqual([reference.length, Object.keys(reference[0] ?? {}).length]);
    expect(result.dtypes).toMatchObject({
      class_index: 'int64',
      p: 'float64',
      significant: 'bool',
      temperature_a: 'float64',
      class_name: 'object',
    });
    const holm = reference.filter(
      (r) => r.correction === 'holm' && r.arm_a === 'NDS' && r.arm_b === 'KD T=4',
    );
    // pandas' default float parser may be off in the last digits (its "high" precision is not
    // round-trip); float_precision="round_trip" reads back the exact doubles the API computed.
    expect(result.p_exact).toEqual(holm.map((r) => r.p));
    for (const [i, p] of result.p.entries()) {
      const want = holm[i]?.p as number | null;
      if (want === null) expect(p).toBeNull();
      else expect(Math.abs((p as number) - want)).toBeLessThanOrEqual(1e-14 * want);
    }
    expect(result.significant).toBe(holm.filter((r) => r.significant === true).length);
    // pandas reads the formula-safe cell as text with its leading quote (a spreadsheet hides it).
    expect(result.classes).toEqual(classNames.map((c) => (c.startsWith('=') ? `'${c}` : c)));
    expect(result.predictions).toEqual([imported.runs.length * N, 6 + 4 + C + 2]);
    expect(result.prob_dtype).toBe('float64');
    // The JSON Lines export reads into the same frame; precise_float=True parses numbers exactly.
    expect(result.jsonl_shape).toEqual(result.shape);
    expect(result.jsonl_columns).toBe(true);
    expect(result.jsonl_p).toEqual(holm.map((r) => r.p));
    const teacherRight = imported.runs
      .filter((r) => r.role === 'teacher')
      .reduce((s, r) => s + r.predicted.filter((p, i) => p === labels[i]).length, 0);
    expect(result.accuracy).toBeCloseTo(teacherRight / (seeds.length * N), 12);
  });
});

it('lists every table and format it tests', () => {
  // A new table or format must be added to the tests above (the loop covers them by these lists).
  expect(exportTables).toHaveLength(7);
  expect(exportFormats).toEqual(['csv', 'parquet', 'jsonl']);
});

import { constants as bufferConstants } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ARTIFACT_CHUNK_BYTES,
  dropDatabase,
  ensureDatabase,
  FEATURE_SLICE_BYTES,
  getRunArtifact,
  loadRunPredictions,
  migrateWarehouse,
  migrationStatus,
  migrationsFolder,
  putRunArtifact,
  ResultsInputError,
  type RunRow,
  readResultsState,
  readRunArtifact,
  recordEpoch,
  recordExperiment,
  runs,
  TestSetConflictError,
  updateRunProgress,
  withDatabase,
  writeRunArtifact,
} from '@kdlens/core/db';
import {
  getStudySummary,
  loadStudyInput,
  loadTestSet,
  MAX_ATTACHED_FEATURE_VALUES,
  recomputeStudySummary,
  recordTestSet,
  recordTestSetFeatures,
  saveRunResults,
  summaryAtTemperature,
} from '@kdlens/core/results';
import { type StudyRun, summarizeStudy } from '@kdlens/metrics';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('results');
});
afterAll(() => t?.drop());

// A 3-class study small enough to read: 12 examples, a string sensitive attribute, 2-d features
// (all float32-representable, as the warehouse stores them).
const numClasses = 3;
const yTrue = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
const sex = ['f', 'm', 'f', 'm', 'f', 'm', 'f', 'm', 'f', 'm', 'f', 'm'];
const features = Float32Array.from(yTrue.flatMap((y, i) => [y + (i % 2) * 0.25, i * 0.5]));
const arms = [
  { role: 'teacher', temperature: null },
  { role: 'student', temperature: null },
  { role: 'distilled', temperature: 2 },
  { role: 'distilled', temperature: 4 },
] as const;

/** Deterministic predictions: arm a, seed s gets a few examples wrong. */
function predictionsOf(a: number, seed: number): Int32Array {
  return Int32Array.from(yTrue, (y, i) => ((i * 7 + a * 3 + seed) % 5 < a ? (y + 1) % 3 : y));
}
/** Dense probabilities: 0.75 on the predicted class, 0.125 on the others. */
function probabilitiesOf(yPred: Int32Array): Float32Array {
  return Float32Array.from({ length: yPred.length * numClasses }, (_, j) =>
    yPred[Math.floor(j / numClasses)] === j % numClasses ? 0.75 : 0.125,
  );
}

async function tableCounts() {
  const { rows } = await t.warehouse.db.execute<Record<string, number>>(sql`select
    (select count(*)::int from run_predictions) as predictions,
    (select count(*)::int from run_class_accuracy) as class_accuracy,
    (select count(*)::int from run_group_metrics) as group_metrics,
    (select count(*)::int from study_summaries) as summaries,
    (select count(*)::int from runs where status = 'succeeded') as succeeded`);
  return rows[0];
}

describe('study results in the warehouse', () => {
  let experimentId = '';
  let planned: RunRow[] = [];
  const direct: StudyRun[] = [];

  it('records a test set once and refuses a malformed one', async () => {
    const { experiment, runs: rows } = await recordExperiment(t.warehouse.db, {
      name: 'small-study',
      dataset: 'toy',
      spec: {},
      runs: arms.flatMap((arm) => [0, 1].map((seed) => ({ ...arm, seed, architecture: 'mlp' }))),
    });
    experimentId = experiment.id;
    planned = rows;
    const testSet = {
      numClasses,
      classNames: ['a', 'b', 'c'],
      labels: yTrue,
      sensitive: { sex },
      features: { values: features, d: 2 },
    };
    expect((await recordTestSet(t.warehouse.db, experimentId, testSet)).status).toBe('created');
    expect((await recordTestSet(t.warehouse.db, experimentId, testSet)).status).toBe('unchanged');
    await expect(
      recordTestSet(t.warehouse.db, experimentId, { ...testSet, labels: [...yTrue.slice(1), 3] }),
    ).rejects.toThrow(
      new ResultsInputError('recordTestSet: labels[11]: 3 is not a class index in [0, 3)'),
    );
    await expect(
      recordTestSet(t.warehouse.db, experimentId, { ...testSet, sensitive: { sex: sex.slice(1) } }),
    ).rejects.toThrow(/sensitive\.sex: has 11 values but labels needs 12/);
  });

  it('attaches features to a test set without them once, whoever races, and keeps it recordable', async () => {
    const db = t.warehouse.db;
    const { experiment } = await recordExperiment(db, {
      name: 'attach-study',
      dataset: 'toy',
      spec: {},
      runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'mlp' }],
    });
    const bare = { numClasses, labels: yTrue, sensitive: { sex } };
    const recorded = await recordTestSet(db, experiment.id, bare);
    await expect(
      recordTestSetFeatures(db, experiment.id, { values: new Float32Array(12 * 3 - 1), d: 3 }),
    ).rejects.toThrow(/features\.values has 35 values; the test set has 12 examples × d 3/);
    await expect(
      recordTestSetFeatures(db, experiment.id, {
        values: Float32Array.from({ length: 24 }, (_, i) => (i === 5 ? Number.NaN : i)),
        d: 2,
      }),
    ).rejects.toThrow(/values\[5\]/);
    // Two writers at once: one attaches, the other finds features present.
    const mine = Float32Array.from({ length: 24 }, (_, i) => i / 4);
    const theirs = Float32Array.from({ length: 24 }, (_, i) => -i);
    const outcomes = await Promise.all([
      recordTestSetFeatures(db, experiment.id, { values: mine, d: 2 }),
      recordTestSetFeatures(db, experiment.id, { values: theirs, d: 2 }),
    ]);
    expect(outcomes.map((o) => o?.status).sort()).toEqual(['attached', 'present']);
    const winner = outcomes[0]?.status === 'attached' ? mine : theirs;
    const stored = await loadTestSet(db, experiment.id, { features: true });
    expect(stored?.features?.d).toBe(2);
    expect(Array.from(stored?.features?.values ?? [])).toEqual(Array.from(winner));
    // The digest: the test set's own, then + the SHA-256 of [d] and the float32 bytes.
    const featureDigest = createHash('sha256')
      .update(JSON.stringify([2]))
      .update(Buffer.from(winner.buffer))
      .digest('hex');
    expect(stored?.digest).toBe(`${recorded.digest}+features:${featureDigest}`);
    // The same test set recorded again (as every worker does) keeps its features.
    expect((await recordTestSet(db, experiment.id, bare)).status).toBe('unchanged');
    expect((await loadTestSet(db, experiment.id, { features: true }))?.features?.d).toBe(2);
  });

  it('reads features back in slices, so features up to the cap never make one huge value', async () => {
    // node-postgres decodes bytea from hex text (2 characters a byte + `\\x`): a single value of
    // the cap's 512 MiB would exceed V8's longest string; one default slice does not.
    expect(2 * 4 * MAX_ATTACHED_FEATURE_VALUES + 2).toBeGreaterThan(
      bufferConstants.MAX_STRING_LENGTH,
    );
    expect(2 * FEATURE_SLICE_BYTES + 2).toBeLessThan(bufferConstants.MAX_STRING_LENGTH);
    const db = t.warehouse.db;
    const { experiment } = await recordExperiment(db, {
      name: 'sliced-features-study',
      dataset: 'toy',
      spec: {},
      runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'mlp' }],
    });
    await recordTestSet(db, experiment.id, { numClasses, labels: yTrue, sensitive: { sex } });
    // 12 examples × d 5 = 60 values, 240 bytes.
    const values = Float32Array.from({ length: 60 }, (_, i) => (i - 30) / 8);
    await recordTestSetFeatures(db, experiment.id, { values, d: 5 });
    // Slices of 240 (one), 7 (not a whole float: floats straddle slices), 64 (the last one short)
    // and 1000 bytes (more than there is).
    for (const featureSliceBytes of [240, 7, 64, 1000]) {
      const stored = await loadTestSet(db, experiment.id, { features: true, featureSliceBytes });
      expect(stored?.features?.d).toBe(5);
      expect(Array.from(stored?.features?.values ?? [])).toEqual(Array.from(values));
    }
    await expect(
      loadTestSet(db, experiment.id, { features: true, featureSliceBytes: 0 }),
    ).rejects.toThrow(/featureSliceBytes must be an integer in \[1, 67108864\], got 0/);
  });

  it('stores every run and a summary equal to summarizeStudy on the same arrays', async () => {
    for (const run of planned) {
      const a = arms.findIndex((x) => x.role === run.role && x.temperature === run.temperature);
      const yPred = predictionsOf(a, run.seed);
      const probs = probabilitiesOf(yPred);
      direct.push({ role: run.role, temperature: run.temperature, seed: run.seed, yPred, probs });
      await saveRunResults(t.warehouse.db, run.id, {
        predicted: yPred,
        probabilities: { kind: 'dense', numClasses, values: probs },
        trainSeconds: 1,
        imagesPerSec: 12,
      });
    }
    const expected = summarizeStudy({
      numClasses,
      yTrue,
      runs: direct,
      sensitive: { sex },
      features: { values: features, d: 2 },
    });
    const stored = await getStudySummary(t.warehouse.db, experimentId);
    expect(stored?.stale).toBe(false);
    expect(stored?.runCount).toBe(8);
    expect(stored?.temperatures).toEqual([2, 4]);
    // toEqual treats NaN as equal to NaN: the stored nulls must come back as NaN.
    expect(stored?.summary).toEqual(expected);
    expect(expected.individualFairness?.[0]?.lipschitz).not.toBeNull();
    expect(summaryAtTemperature(expected, 4)?.significance).toEqual(expected.significance[1]);

    const input = await loadStudyInput(t.warehouse.db, experimentId);
    expect(input && summarizeStudy(input)).toEqual(expected);
  });

  it('stores per-class accuracy and per-group metrics computed at ingest', async () => {
    const run = planned.find((r) => r.role === 'distilled' && r.temperature === 4 && r.seed === 1);
    if (!run) throw new Error('no run');
    // Arm 3, seed 1: example i is wrong when (7i + 3·3 + 1) mod 5 = 2i mod 5 < 3, by hand:
    // i = 0, 1, 3, 5, 6, 8, 10, 11 wrong → class 0 (i 0-3) 1/4 right, class 1 (4-7) 2/4,
    // class 2 (8-11) 1/4; overall 4/12.
    const yPred = predictionsOf(3, 1);
    expect(Array.from(yPred, (p, i) => (p === yTrue[i] ? '.' : 'x')).join('')).toBe('xx.x.xx.x.xx');
    const { rows } = await t.warehouse.db.execute<{ overall: number; accuracy: number[] }>(
      sql`select overall, accuracy from run_class_accuracy where run_id = ${run.id}`,
    );
    expect(rows[0]).toEqual({ overall: 4 / 12, accuracy: [0.25, 0.5, 0.25] });
    const groups = await t.warehouse.db.execute<{ attribute: string; m: { byGroup: unknown[] } }>(
      sql`select attribute, metrics as m from run_group_metrics where run_id = ${run.id}`,
    );
    // f rows are the even i: right at 2, 4 → 2/6; m rows (odd): right at 7, 9 → 2/6.
    expect(groups.rows[0]?.attribute).toBe('sex');
    expect(groups.rows[0]?.m.byGroup).toMatchObject([
      { group: 'f', count: 6, accuracy: 2 / 6 },
      { group: 'm', count: 6, accuracy: 2 / 6 },
    ]);
    const [row] = await t.warehouse.db.select().from(runs).where(eq(runs.id, run.id));
    expect(row?.status).toBe('succeeded');
    expect(row?.summary).toMatchObject({ accuracy: 4 / 12, classNames: ['a', 'b', 'c'] });
  });

  it('leaves everything unchanged when an ingest fails, before or after its writes', async () => {
    const before = await tableCounts();
    const summaryBefore = await getStudySummary(t.warehouse.db, experimentId);
    const run = planned[0];
    if (!run) throw new Error('no run');
    await expect(
      saveRunResults(t.warehouse.db, run.id, { predicted: yTrue.slice(0, 11) }),
    ).rejects.toThrow('saveRunResults: predicted: has 11 values but the test set needs 12');
    await expect(
      saveRunResults(t.warehouse.db, run.id, {
        predicted: yTrue,
        probabilities: { kind: 'dense', numClasses, values: new Float32Array(36).fill(Number.NaN) },
      }),
    ).rejects.toThrow('probabilities.values[0]: NaN is not a probability in [0, 1]');
    // This one fails in summarizeStudy, after the predictions were written: all rolls back.
    await expect(
      saveRunResults(t.warehouse.db, run.id, { predicted: yTrue }, { studyOptions: { alpha: 2 } }),
    ).rejects.toThrow(/alpha/);
    expect(await tableCounts()).toEqual(before);
    const after = await getStudySummary(t.warehouse.db, experimentId);
    expect(after?.fingerprint).toBe(summaryBefore?.fingerprint);
    expect(after?.stale).toBe(false);
  });

  it('replaces a run saved again instead of duplicating it', async () => {
    const before = await tableCounts();
    const old = await getStudySummary(t.warehouse.db, experimentId);
    const run = planned[0];
    if (!run) throw new Error('no run');
    await saveRunResults(t.warehouse.db, run.id, { predicted: yTrue });
    expect(await tableCounts()).toEqual(before);
    const now = await getStudySummary(t.warehouse.db, experimentId);
    expect(now?.fingerprint).not.toBe(old?.fingerprint);
    expect(now?.summary.arms[0]?.accuracy.values[0]).toBe(1);
  });

  it("keeps a succeeded run's weights and deletes its checkpoint (retention)", async () => {
    const run = planned[1];
    if (!run) throw new Error('no run');
    await putRunArtifact(t.warehouse.db, run.id, 'checkpoint', Uint8Array.of(1, 2), { epoch: 3 });
    await putRunArtifact(t.warehouse.db, run.id, 'weights', Uint8Array.of(7, 8, 9));
    await saveRunResults(t.warehouse.db, run.id, { predicted: yTrue });
    expect(await getRunArtifact(t.warehouse.db, run.id, 'checkpoint')).toBeUndefined();
    expect([...((await getRunArtifact(t.warehouse.db, run.id, 'weights'))?.bytes ?? [])]).toEqual([
      7, 8, 9,
    ]);
    const chunks = await t.warehouse.db.execute<{ kind: string }>(
      sql`select kind from run_artifact_chunks where run_id = ${run.id}`,
    );
    expect(chunks.rows).toEqual([{ kind: 'weights' }]);
  });

  it('marks a deferred summary stale until it is recomputed', async () => {
    const run = planned[1];
    if (!run) throw new Error('no run');
    await saveRunResults(t.warehouse.db, run.id, { predicted: yTrue }, { summary: 'defer' });
    expect((await getStudySummary(t.warehouse.db, experimentId))?.stale).toBe(true);
    await recomputeStudySummary(t.warehouse.db, experimentId);
    expect((await getStudySummary(t.warehouse.db, experimentId))?.stale).toBe(false);
    // Deleting a run drops its results (cascade) and makes the summary stale again.
    const last = planned.at(-1);
    if (!last) throw new Error('no run');
    await t.warehouse.db.delete(runs).where(eq(runs.id, last.id));
    expect((await tableCounts())?.predictions).toBe(7);
    expect((await getStudySummary(t.warehouse.db, experimentId))?.stale).toBe(true);
  });

  it('keeps the summary current when runs are saved concurrently', async () => {
    const [a, b, c] = planned.slice(2, 5);
    if (!a || !b || !c) throw new Error('no runs');
    await Promise.all(
      [a, b, c].map((run) => saveRunResults(t.warehouse.db, run.id, { predicted: yTrue })),
    );
    const stored = await getStudySummary(t.warehouse.db, experimentId);
    expect(stored?.stale).toBe(false);
    expect(stored?.runCount).toBe(7);
  });

  it('has one results fingerprint: what a summary stores is what readResultsState reads now', async () => {
    const db = t.warehouse.db;
    const stored = await getStudySummary(db, experimentId);
    const state = await readResultsState(db, experimentId);
    expect(state?.fingerprint).toBe(stored?.fingerprint);
    expect(state?.summary?.fingerprint).toBe(stored?.fingerprint);
    // The documented formula, by hand: SHA-256 of the test set digest, then |run:results per run.
    const { rows } = await db.execute<{ digest: string; run_id: string; results_id: string }>(sql`
      select ts.digest, p.run_id::text as run_id, p.results_id::text as results_id
      from run_predictions p join runs r on r.id = p.run_id
      join experiment_test_sets ts on ts.experiment_id = r.experiment_id
      where r.experiment_id = ${experimentId} order by p.run_id`);
    expect(rows).toHaveLength(7);
    const hash = createHash('sha256').update(rows[0]?.digest ?? '');
    for (const r of rows) hash.update(`|${r.run_id}:${r.results_id}`);
    expect(state?.fingerprint).toBe(hash.digest('hex'));
    // A deferred save changes the results' fingerprint, not the summary's.
    const run = planned[0];
    if (!run) throw new Error('no run');
    await saveRunResults(db, run.id, { predicted: yTrue }, { summary: 'defer' });
    const after = await readResultsState(db, experimentId);
    expect(after?.fingerprint).not.toBe(state?.fingerprint);
    expect(after?.summary).toEqual(state?.summary);
    expect(await readResultsState(db, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    await recomputeStudySummary(db, experimentId);
    expect((await readResultsState(db, experimentId))?.summary?.fingerprint).toBe(
      after?.fingerprint,
    );
  });

  it('returns stored top-k probabilities as they were given', async () => {
    const run = planned[5];
    if (!run) throw new Error('no run');
    const ids = Int32Array.from(yTrue.flatMap((y) => [y, (y + 1) % 3]));
    const values = Float32Array.from(yTrue.flatMap(() => [0.5, 0.25]));
    await saveRunResults(
      t.warehouse.db,
      run.id,
      { predicted: yTrue, probabilities: { kind: 'top-k', k: 2, ids, values } },
      { summary: 'defer' },
    );
    const stored = await loadRunPredictions(t.warehouse.db, run.id, { probabilities: true });
    expect(stored?.predicted).toEqual(Int32Array.from(yTrue));
    expect(stored?.probabilities).toEqual({ kind: 'top-k', k: 2, ids, values });
  });

  it('refuses a different test set once runs have predictions', async () => {
    await expect(
      recordTestSet(t.warehouse.db, experimentId, { numClasses, labels: yTrue }),
    ).rejects.toThrow(TestSetConflictError);
  });
});

describe('queue and operations columns', () => {
  it('records epochs once each, live progress and artifacts', async () => {
    const { runs: rows } = await recordExperiment(t.warehouse.db, {
      name: 'ops',
      dataset: 'toy',
      spec: {},
      runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'mlp' }],
    });
    const runId = rows[0]?.id ?? '';
    const entry = (epoch: number, loss: number) => ({
      epoch,
      loss,
      trainAccuracy: 0.5,
      evalAccuracy: null,
      imagesPerSec: 100,
      seconds: 2,
    });
    await recordEpoch(t.warehouse.db, runId, entry(1, 0.9));
    await recordEpoch(t.warehouse.db, runId, entry(2, 0.7));
    await recordEpoch(t.warehouse.db, runId, entry(2, 0.6)); // resumed and trained again
    await updateRunProgress(t.warehouse.db, runId, {
      fraction: 0.5,
      epoch: 2,
      loss: 0.6,
      etaSeconds: 30,
    });
    const [row] = await t.warehouse.db.select().from(runs).where(eq(runs.id, runId));
    expect(row?.history.map((h) => [h.epoch, h.loss])).toEqual([
      [1, 0.9],
      [2, 0.6],
    ]);
    expect(row).toMatchObject({ loss: 0.6, etaSeconds: 30, attempt: 0, cancelRequested: false });
    expect(row?.heartbeatAt).toBeInstanceOf(Date);

    await putRunArtifact(t.warehouse.db, runId, 'checkpoint', Uint8Array.of(1, 2, 3), { epoch: 1 });
    await putRunArtifact(t.warehouse.db, runId, 'checkpoint', Uint8Array.of(4, 5), { epoch: 2 });
    const artifact = await getRunArtifact(t.warehouse.db, runId, 'checkpoint');
    expect([...(artifact?.bytes ?? [])]).toEqual([4, 5]);
    expect(artifact?.metadata).toEqual({ epoch: 2 });
    expect(await getRunArtifact(t.warehouse.db, runId, 'weights')).toBeUndefined();

    // A large artifact, given in odd pieces, is stored in rows of ARTIFACT_CHUNK_BYTES and read
    // back a row at a time; a new one replaces every row of the old.
    const size = 2 * ARTIFACT_CHUNK_BYTES + 12_345;
    const big = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4099) big[i] = (i / 4099) % 251;
    async function* pieces() {
      for (let at = 0; at < size; at += 1_000_003) yield big.subarray(at, at + 1_000_003);
    }
    expect(
      await writeRunArtifact(t.warehouse.db, runId, 'checkpoint', pieces(), { epoch: 3 }),
    ).toBe(size);
    const stored = await t.warehouse.db.execute<{ seq: number; n: number }>(
      sql`select seq, octet_length(bytes) as n from run_artifact_chunks
          where run_id = ${runId} and kind = 'checkpoint' order by seq`,
    );
    expect(stored.rows).toEqual([
      { seq: 0, n: ARTIFACT_CHUNK_BYTES },
      { seq: 1, n: ARTIFACT_CHUNK_BYTES },
      { seq: 2, n: 12_345 },
    ]);
    const read: number[] = [];
    const hash = createHash('sha256');
    const info = await readRunArtifact(t.warehouse.db, runId, 'checkpoint', (c) => {
      read.push(c.byteLength);
      hash.update(c);
    });
    expect(info).toMatchObject({ metadata: { epoch: 3 }, byteLength: size });
    expect(read).toEqual([ARTIFACT_CHUNK_BYTES, ARTIFACT_CHUNK_BYTES, 12_345]);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    await putRunArtifact(t.warehouse.db, runId, 'checkpoint', Uint8Array.of(6), { epoch: 4 });
    expect([...((await getRunArtifact(t.warehouse.db, runId, 'checkpoint'))?.bytes ?? [])]).toEqual(
      [6],
    );
  });
});

describe('migration 0001 on a v1 warehouse', () => {
  it('keeps the v1 rows and gives them the new defaults', async () => {
    const adminUrl = inject('adminUrl');
    const name = `kdlens_test_v1_${process.pid}_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(adminUrl, name);
    const url = withDatabase(adminUrl, name);
    // The committed migrations as of v1: only 0000 in the journal.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-v1-'));
    try {
      await cp(migrationsFolder, dir, { recursive: true });
      const journalPath = path.join(dir, 'meta', '_journal.json');
      const journal = JSON.parse(await readFile(journalPath, 'utf8')) as {
        entries: { idx: number }[];
      };
      journal.entries = journal.entries.filter((e) => e.idx === 0);
      await writeFile(journalPath, JSON.stringify(journal));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await migrate(drizzle(client), { migrationsFolder: dir });
        await client.query(`insert into experiments (id, name, spec, dataset)
          values ('00000000-0000-4000-8000-000000000001', 'old', '{}', 'toy')`);
        await client.query(`insert into runs (experiment_id, role, seed, architecture, status, summary)
          values ('00000000-0000-4000-8000-000000000001', 'teacher', 0, 'mlp', 'succeeded', '{"accuracy": 0.5}')`);
        expect((await migrationStatus(url)).applied).toBe(1);
        await migrateWarehouse(url);
        // Every committed migration, 0001 and any after it (0002 added api_tokens).
        const committed = JSON.parse(
          await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
        ) as { entries: unknown[] };
        expect((await migrationStatus(url)).applied).toBe(committed.entries.length);
        const { rows } = await client.query(
          'select status, summary, attempt, history, cancel_requested from runs',
        );
        expect(rows).toEqual([
          {
            status: 'succeeded',
            summary: { accuracy: 0.5 },
            attempt: 0,
            history: [],
            cancel_requested: false,
          },
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await dropDatabase(adminUrl, name);
    }
  });
});

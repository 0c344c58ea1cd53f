import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger } from '@kdlens/core';
import { type EpochEntry, markRunStarted, recordEpoch, recordExperiment } from '@kdlens/core/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// `runs(ids:)`, the learning curves the Runs tab overlays: every expected number below is the
// epoch row written here with recordEpoch (the trainer's own write path), read back through
// GraphQL.

interface GraphqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; argument?: string } }[];
}

interface CurveRun {
  id: string;
  label: string;
  seed: number;
  status: string;
  history: {
    epoch: number;
    loss: number | null;
    trainAccuracy: number;
    evalAccuracy: number | null;
  }[];
}

const CURVES = `query($ids: [ID!]!) { runs(ids: $ids) {
  id label seed status history { epoch loss trainAccuracy evalAccuracy } } }`;

let api: ApiServer;
let t: TestDatabase;
const ids: Record<string, string> = {};

/** Epoch e of a run: made-up but distinct numbers, so a swapped run or epoch shows. */
function entry(e: number, offset: number, evalAccuracy: number | null): EpochEntry {
  return {
    epoch: e,
    loss: 2 / (e + 1) + offset,
    trainAccuracy: 0.3 + 0.1 * e + offset / 10,
    evalAccuracy,
    imagesPerSec: 1000 + e,
    seconds: 3,
  };
}

async function request<T>(query: string, variables?: object): Promise<GraphqlResult<T>> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlResult<T>;
}

async function curves(runIds: string[]): Promise<(CurveRun | null)[]> {
  const result = await request<{ runs: (CurveRun | null)[] }>(CURVES, { ids: runIds });
  if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.data?.runs ?? [];
}

beforeAll(async () => {
  t = await createTestDatabase('api_run_curves');
  const db = t.warehouse.db;
  const { runs } = await recordExperiment(db, {
    name: 'curves-study',
    dataset: 'shapes',
    spec: { teacher: { architecture: 'mlp' }, student: { architecture: 'mlp' } },
    runs: [
      { role: 'teacher', temperature: null, seed: 0, architecture: 'mlp' },
      { role: 'distilled', temperature: 4, seed: 1, architecture: 'mlp' },
      { role: 'student', temperature: null, seed: 0, architecture: 'mlp' },
    ],
  });
  for (const run of runs) ids[run.role] = run.id;
  const teacher = ids.teacher as string;
  const distilled = ids.distilled as string;
  await markRunStarted(db, teacher, 'wasm');
  await recordEpoch(db, teacher, entry(1, 0, 0.41));
  await recordEpoch(db, teacher, entry(2, 0, 0.52));
  await recordEpoch(db, teacher, entry(3, 0, 0.61));
  await markRunStarted(db, distilled, 'wasm');
  await recordEpoch(db, distilled, entry(1, 0.5, null));
  // Resumed from a checkpoint and trained again: the second row of epoch 2 replaces the first.
  await recordEpoch(db, distilled, entry(2, 0.9, null));
  await recordEpoch(db, distilled, entry(2, 0.5, 0.47));
  api = await startApiServer({
    db,
    log: createLogger('warn', 'api-run-curves'),
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: true,
    // The data version is read on every request, so what a stale classification would keep
    // shows in the next answer.
    responseCache: { versionTtlMs: 0 },
  });
});

afterAll(async () => {
  await api?.stop();
  await t?.drop();
});

describe('runs(ids:)', () => {
  it('returns each run’s per-epoch loss, train and test accuracy as written, in the order asked', async () => {
    const [distilled, teacher, student] = await curves([
      ids.distilled as string,
      ids.teacher as string,
      ids.student as string,
    ]);
    const point = (e: EpochEntry) => ({
      epoch: e.epoch,
      loss: e.loss,
      trainAccuracy: e.trainAccuracy,
      evalAccuracy: e.evalAccuracy,
    });
    expect(teacher).toEqual({
      id: ids.teacher,
      label: 'Teacher',
      seed: 0,
      status: 'running',
      history: [entry(1, 0, 0.41), entry(2, 0, 0.52), entry(3, 0, 0.61)].map(point),
    });
    // Epoch 2 as its second write left it, not the first.
    expect(distilled).toEqual({
      id: ids.distilled,
      label: 'KD T=4',
      seed: 1,
      status: 'running',
      history: [entry(1, 0.5, null), entry(2, 0.5, 0.47)].map(point),
    });
    // By hand: the teacher's epoch 2 loss is 2/3, the distilled run's 2/3 + 0.5.
    expect(teacher?.history[1]?.loss).toBeCloseTo(0.6666666666666666, 15);
    expect(distilled?.history[1]?.loss).toBeCloseTo(1.1666666666666667, 15);
    expect(distilled?.history[1]?.trainAccuracy).toBeCloseTo(0.55, 15);
    expect(student).toMatchObject({ label: 'NDS', status: 'queued', history: [] });
  });

  it('answers null for an unknown id and repeats a repeated one', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const answer = await curves([unknown, ids.teacher as string, ids.teacher as string]);
    expect(answer[0]).toBeNull();
    expect(answer[1]?.id).toBe(ids.teacher);
    expect(answer[2]).toEqual(answer[1]);
    expect(await curves([])).toEqual([]);
  });

  it('shows a running unit’s next epoch at once (curves are liveness, not cached as results)', async () => {
    const before = await curves([ids.distilled as string]);
    expect(before[0]?.history.map((h) => h.epoch)).toEqual([1, 2]);
    await recordEpoch(t.warehouse.db, ids.distilled as string, entry(3, 0.5, 0.5));
    const after = await curves([ids.distilled as string]);
    expect(after[0]?.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    // 2/(3+1) + 0.5 and 0.3 + 0.3 + 0.05.
    expect(after[0]?.history[2]?.loss).toBeCloseTo(1, 15);
    expect(after[0]?.history[2]?.trainAccuracy).toBeCloseTo(0.65, 15);
    expect(after[0]?.history[2]?.evalAccuracy).toBe(0.5);
  });

  it('refuses more than 24 ids and a malformed one, naming the argument', async () => {
    const many = Array.from({ length: 25 }, () => ids.teacher as string);
    const tooMany = await request(CURVES, { ids: many });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'ids',
    });
    expect(tooMany.errors?.[0]?.message).toMatch(/at most 24/);
    expect(await curves(many.slice(0, 24))).toHaveLength(24);
    const malformed = await request(CURVES, { ids: [ids.teacher, 'x; drop table runs'] });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: 'ids[1]',
    });
  });
});

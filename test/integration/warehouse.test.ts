import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  completeRun,
  countRows,
  findExperiment,
  findExperimentByName,
  findRunById,
  migrationStatus,
  migrationsFolder,
  recordExperiment,
  runs,
} from '@kdlens/core/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('warehouse');
});
afterAll(() => t?.drop());

const planned = {
  name: 'w1',
  dataset: 'toy-shapes',
  spec: { any: 'thing' },
  runs: [
    { role: 'teacher' as const, temperature: null, seed: 0, architecture: 'a' },
    { role: 'student' as const, temperature: null, seed: 0, architecture: 'b' },
    { role: 'distilled' as const, temperature: 2, seed: 0, architecture: 'b' },
    { role: 'distilled' as const, temperature: 4, seed: 0, architecture: 'b' },
  ],
};

describe('warehouse schema v1', () => {
  it('applies the committed migrations', async () => {
    const status = await migrationStatus(t.url);
    const journal = JSON.parse(
      await readFile(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
    ) as { entries: unknown[] };
    expect(status.applied).toBe(journal.entries.length);
    const tables = await t.warehouse.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    // v1's tables, and later migrations' next to them.
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['experiments', 'runs', 'run_predictions', 'study_summaries']),
    );
  });

  it('records an experiment and its runs once, however often it is recorded', async () => {
    const first = await recordExperiment(t.warehouse.db, planned);
    expect(first.runs).toHaveLength(4);
    const again = await recordExperiment(t.warehouse.db, {
      ...planned,
      runs: [...planned.runs, { role: 'distilled', temperature: 8, seed: 0, architecture: 'b' }],
    });
    expect(again.experiment.id).toBe(first.experiment.id);
    expect(again.runs).toHaveLength(5);
    expect(await countRows(t.warehouse.db)).toEqual({ experiments: 1, runs: 5 });
    expect((await findExperimentByName(t.warehouse.db, 'w1'))?.status).toBe('pending');
  });

  it('refuses a temperature on a teacher and a distilled run without one', async () => {
    const experimentId = (await findExperimentByName(t.warehouse.db, 'w1'))?.id ?? '';
    await expect(
      t.warehouse.db.insert(runs).values({
        experimentId,
        role: 'teacher',
        temperature: 3,
        seed: 9,
        architecture: 'a',
      }),
    ).rejects.toMatchObject({ cause: { constraint: 'runs_temperature_only_when_distilled' } });
    await expect(
      t.warehouse.db.insert(runs).values({
        experimentId,
        role: 'distilled',
        temperature: null,
        seed: 9,
        architecture: 'a',
      }),
    ).rejects.toMatchObject({ cause: { constraint: 'runs_temperature_only_when_distilled' } });
  });

  it('rolls back a failed transaction completely', async () => {
    const before = await countRows(t.warehouse.db);
    await expect(
      recordExperiment(t.warehouse.db, {
        name: 'w2',
        dataset: 'x',
        spec: {},
        // The second run breaks a check constraint, so the experiment must not land either.
        runs: [
          { role: 'teacher', temperature: null, seed: 0, architecture: 'a' },
          { role: 'distilled', temperature: -1, seed: 0, architecture: 'b' },
        ],
      }),
    ).rejects.toMatchObject({ cause: { constraint: 'runs_temperature_positive' } });
    expect(await countRows(t.warehouse.db)).toEqual(before);
    expect(await findExperimentByName(t.warehouse.db, 'w2')).toBeUndefined();
  });

  it('stores only a well-formed summary', async () => {
    const { runs: rows } = await recordExperiment(t.warehouse.db, planned);
    const run = rows[0];
    if (!run) throw new Error('no run');
    await expect(
      completeRun(t.warehouse.db, run.id, {
        accuracy: 1.5,
        classAccuracy: [],
        classNames: [],
        testExamples: 0,
        trainSeconds: 0,
        imagesPerSec: 0,
      }),
    ).rejects.toThrow(/accuracy/);
    await completeRun(t.warehouse.db, run.id, {
      accuracy: 0.75,
      classAccuracy: [0.5, null, 1],
      classNames: ['a', 'b', 'c'],
      testExamples: 4,
      trainSeconds: 1,
      imagesPerSec: 10,
    });
    const [stored] = await t.warehouse.db.select().from(runs).where(sql`${runs.id} = ${run.id}`);
    expect(stored?.status).toBe('succeeded');
    expect(stored?.progress).toBe(1);
    expect(stored?.summary?.classAccuracy).toEqual([0.5, null, 1]);
  });
});

describe('finding an experiment by what a user typed', () => {
  it('tries a UUID as an id first, then as a name; anything else only as a name', async () => {
    const a = await recordExperiment(t.warehouse.db, { ...planned, name: 'find-a', runs: [] });
    // A name that is another experiment's id: the id wins, as for every caller.
    const b = await recordExperiment(t.warehouse.db, {
      ...planned,
      name: a.experiment.id,
      runs: [],
    });
    const db = t.warehouse.db;
    expect((await findExperiment(db, a.experiment.id))?.name).toBe('find-a');
    expect((await findExperiment(db, a.experiment.id.toUpperCase()))?.name).toBe('find-a');
    expect((await findExperiment(db, b.experiment.id))?.id).toBe(b.experiment.id);
    // A UUID that is no experiment's id is still a name.
    const uuidName = '00000000-0000-4000-8000-00000000000a';
    const c = await recordExperiment(t.warehouse.db, { ...planned, name: uuidName, runs: [] });
    expect((await findExperiment(db, uuidName))?.id).toBe(c.experiment.id);
    // Not a UUID: looked up by name only (as an id PostgreSQL would refuse to parse it).
    expect((await findExperiment(db, 'find-a'))?.id).toBe(a.experiment.id);
    expect(await findExperiment(db, 'find-nothing')).toBeUndefined();
  });

  it('finds a run by id, and nothing for an unknown one', async () => {
    const { runs: rows } = await recordExperiment(t.warehouse.db, planned);
    const run = rows[0];
    if (!run) throw new Error('no run');
    expect(await findRunById(t.warehouse.db, run.id)).toEqual(run);
    expect(await findRunById(t.warehouse.db, '00000000-0000-4000-8000-000000000000')).toBe(
      undefined,
    );
  });
});

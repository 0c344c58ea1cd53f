import { readFile } from 'node:fs/promises';
import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger, type ImportedStudy, writeImportedStudy } from '@kdlens/core';
import { createApiToken, migrationsFolder, recordExperiment } from '@kdlens/core/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql } from '../support/api-client.ts';
import { flipStudies } from '../support/flip-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Tags, notes and the headline numbers of the experiments list (issue 17), against a real
// warehouse: sorting and paging by a stored number, the tag filter, and the operator-only
// mutation with its cache invalidation.
const log = createLogger('silent', 'api-experiment-annotations');

// The studies and their hand-computed numbers: support/flip-study.ts. gamma is planned only:
// no results, no summary, every number null. epsilon, created last, is beta again: it ties with
// beta on every number, so paging one row at a time crosses ties.
const expected = {
  alpha: { teacher: 1, nds: 0.9, bestKd: 0.9, bestT: 4, maxDpd: 0.2 },
  beta: { teacher: 0.7, nds: 0.7, bestKd: 1, bestT: 1, maxDpd: 0.4 },
  delta: { teacher: 0.6, nds: 1, bestKd: null, bestT: null, maxDpd: null },
  gamma: { teacher: null, nds: null, bestKd: null, bestT: null, maxDpd: null },
  epsilon: { teacher: 0.7, nds: 0.7, bestKd: 1, bestT: 1, maxDpd: 0.4 },
};

let t: TestDatabase;
let server: ApiServer;
const ids: Record<string, string> = {};
const tokens = { viewer: '', operator: '' };

beforeAll(async () => {
  t = await createTestDatabase('annotations');
  const db = t.warehouse.db;
  const write = async (name: string, s: ImportedStudy) => {
    ids[name] = (
      await writeImportedStudy(db, { experiment: name, dataset: 'tiny', files: [] }, s)
    ).experimentId;
  };
  // Created in this order: the list's ties and nulls fall back to creation time.
  await write('alpha', flipStudies.alpha);
  await write('beta', flipStudies.beta);
  await write('delta', flipStudies.delta);
  ids.gamma = (
    await recordExperiment(db, {
      name: 'gamma',
      dataset: 'tiny',
      spec: {},
      runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'mlp' }],
    })
  ).experiment.id;
  await write('epsilon', flipStudies.beta);
  tokens.viewer = (await createApiToken(db, { name: 'v', role: 'viewer' })).token;
  tokens.operator = (await createApiToken(db, { name: 'o', role: 'operator' })).token;
  server = await startApiServer({
    db,
    log,
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: false,
    // A minute: an answer that shows an edit at once was not kept past the mutation.
    responseCache: { versionTtlMs: 60_000 },
  });
});
afterAll(async () => {
  await server?.stop();
  await t?.drop();
});

interface Headline {
  teacherAccuracy: number | null;
  ndsAccuracy: number | null;
  bestDistilledAccuracy: number | null;
  bestDistilledTemperature: number | null;
  maxDpd: number | null;
  maxDpdAttribute: string | null;
}
interface Page {
  experiments: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { name: string; tags: string[]; headline: Headline | null } }[];
  };
}
const pageQuery = `query($filter: ExperimentFilter, $first: Int, $after: String, $sort: ExperimentSort, $order: SortOrder) {
  experiments(filter: $filter, first: $first, after: $after, sort: $sort, order: $order) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { name tags headline { teacherAccuracy ndsAccuracy bestDistilledAccuracy
      bestDistilledTemperature maxDpd maxDpdAttribute } } } } }`;

async function page(variables: object, token = tokens.viewer) {
  const r = await gql<Page>(server.url, pageQuery, { variables, token });
  if (r.errors.length > 0 || !r.data) throw new Error(r.text);
  return r.data.experiments;
}

/** Every name in this sort, a page of `first` at a time through endCursor. */
async function allPages(sort: string, order: string, first: number): Promise<string[]> {
  const names: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 10; i++) {
    const p: Page['experiments'] = await page({ sort, order, first, after });
    names.push(...p.edges.map((e) => e.node.name));
    if (!p.pageInfo.hasNextPage) return names;
    after = p.pageInfo.endCursor;
  }
  throw new Error('more pages than experiments');
}

const annotate = `mutation($input: UpdateExperimentAnnotationsInput!) {
  updateExperimentAnnotations(input: $input) { experiment { id name tags note } } }`;

describe('Experiment.headline', () => {
  it('reads the hand-computed numbers from the stored summary, on the list and by id', async () => {
    const p = await page({ first: 10 });
    const byName = new Map(p.edges.map((e) => [e.node.name, e.node.headline]));
    for (const [name, want] of Object.entries(expected)) {
      const got = byName.get(name);
      if (want.teacher === null) {
        expect(got).toBeNull();
        continue;
      }
      expect(got?.teacherAccuracy).toBeCloseTo(want.teacher, 12);
      expect(got?.ndsAccuracy).toBeCloseTo(want.nds, 12);
      if (want.bestKd === null) expect(got?.bestDistilledAccuracy).toBeNull();
      else expect(got?.bestDistilledAccuracy).toBeCloseTo(want.bestKd, 12);
      expect(got?.bestDistilledTemperature).toBe(want.bestT);
      if (want.maxDpd === null) expect(got?.maxDpd).toBeNull();
      else expect(got?.maxDpd).toBeCloseTo(want.maxDpd, 12);
      expect(got?.maxDpdAttribute).toBe(want.maxDpd === null ? null : 'g');
    }
    // The single-experiment path loads the same columns.
    const one = await gql<{ experiment: { headline: Headline } }>(
      server.url,
      'query($id: ID!) { experiment(id: $id) { headline { teacherAccuracy maxDpd } } }',
      { variables: { id: ids.beta }, token: tokens.viewer },
    );
    expect(one.data?.experiment.headline.teacherAccuracy).toBeCloseTo(0.7, 12);
    expect(one.data?.experiment.headline.maxDpd).toBeCloseTo(0.4, 12);
  });

  it('migration 0005 runs again unharmed, and its backfill computes what studyHeadline stored', async () => {
    const db = t.warehouse.db.$client;
    const columns =
      'teacher_accuracy, nds_accuracy, best_distilled_accuracy, best_distilled_temperature, max_dpd, max_dpd_attribute';
    const read = async () =>
      (await db.query(`select experiment_id, ${columns} from study_summaries order by 1`)).rows;
    const stored = await read();
    expect(stored).toHaveLength(4);
    const migration = await readFile(`${migrationsFolder}/0005_experiment_tags_notes.sql`, 'utf8');
    const statements = migration.split('--> statement-breakpoint');
    expect(statements.at(-1)).toContain('UPDATE "study_summaries"');
    await db.query(
      `update study_summaries set (${columns}) = (null, null, null, null, null, null)`,
    );
    // The whole migration again: idempotent, like 0004, and its backfill restores the columns.
    for (const statement of statements) await db.query(statement);
    expect(await read()).toEqual(stored);
  });
});

describe('experiments(sort, order)', () => {
  it('orders by a headline number, nulls last, ties and nulls by creation time, across pages', async () => {
    // Created: alpha, beta, delta, gamma, epsilon. Teacher: alpha 1.0, beta = epsilon 0.7,
    // delta 0.6, gamma none. A tie goes newest first when descending, oldest first ascending.
    expect(await allPages('TEACHER_ACCURACY', 'DESC', 1)).toEqual([
      'alpha',
      'epsilon',
      'beta',
      'delta',
      'gamma',
    ]);
    expect(await allPages('TEACHER_ACCURACY', 'ASC', 1)).toEqual([
      'delta',
      'beta',
      'epsilon',
      'alpha',
      'gamma',
    ]);
    // NDS: delta 1.0, alpha 0.9, beta = epsilon 0.7.
    expect(await allPages('NDS_ACCURACY', 'DESC', 2)).toEqual([
      'delta',
      'alpha',
      'epsilon',
      'beta',
      'gamma',
    ]);
    // Best KD: beta = epsilon 1.0, alpha 0.9; delta and gamma have none: newest first when
    // descending…
    expect(await allPages('BEST_DISTILLED_ACCURACY', 'DESC', 1)).toEqual([
      'epsilon',
      'beta',
      'alpha',
      'gamma',
      'delta',
    ]);
    // …oldest first when ascending. Max DPD: alpha 0.2, beta = epsilon 0.4.
    expect(await allPages('MAX_DPD', 'ASC', 3)).toEqual([
      'alpha',
      'beta',
      'epsilon',
      'delta',
      'gamma',
    ]);
    expect(await allPages('MAX_DPD', 'DESC', 1)).toEqual([
      'epsilon',
      'beta',
      'alpha',
      'gamma',
      'delta',
    ]);
    expect(await allPages('CREATED_AT', 'ASC', 3)).toEqual([
      'alpha',
      'beta',
      'delta',
      'gamma',
      'epsilon',
    ]);
    // The default is newest first, as before.
    expect((await page({ first: 10 })).edges.map((e) => e.node.name)).toEqual([
      'epsilon',
      'gamma',
      'delta',
      'beta',
      'alpha',
    ]);
  });

  it('refuses a cursor of another sort, naming after', async () => {
    const first = await page({ sort: 'MAX_DPD', order: 'DESC', first: 1 });
    const r = await gql(server.url, pageQuery, {
      variables: {
        sort: 'TEACHER_ACCURACY',
        order: 'DESC',
        first: 1,
        after: first.pageInfo.endCursor,
      },
      token: tokens.viewer,
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors[0]?.extensions?.argument).toBe('after');
  });
});

describe('updateExperimentAnnotations', () => {
  it('is refused to viewers (FORBIDDEN), and nothing is written', async () => {
    const r = await gql(server.url, annotate, {
      variables: { input: { id: ids.alpha, tags: ['x'], note: 'no' } },
      token: tokens.viewer,
    });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    const p = await page({ first: 10 });
    expect(p.edges.every((e) => e.node.tags.length === 0)).toBe(true);
  });

  it('names the bad field', async () => {
    const bad = async (input: object) => {
      const r = await gql(server.url, annotate, { variables: { input }, token: tokens.operator });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      return { message: r.errors[0]?.message, argument: r.errors[0]?.extensions?.argument };
    };
    expect(await bad({ id: ids.alpha, tags: ['ok', 'Not Ok'] })).toEqual({
      message:
        "input.tags[1]: lowercase letters, digits, '-', '_' and '.' only, starting with a letter or digit",
      argument: 'input.tags[1]',
    });
    expect(
      await bad({ id: ids.alpha, tags: Array.from({ length: 17 }, (_, i) => `t${i}`) }),
    ).toEqual({ message: 'input.tags: at most 16 tags per experiment', argument: 'input.tags' });
    expect(await bad({ id: ids.alpha, tags: [], note: 'n'.repeat(4001) })).toEqual({
      message: 'input.note: at most 4000 characters',
      argument: 'input.note',
    });
    expect((await bad({ tags: [] })).argument).toBe('input.id');
  });

  it('lets an operator tag and annotate; cached answers show the edit at once', async () => {
    const query = 'query($id: ID!) { experiment(id: $id) { name tags note } }';
    const read = () =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.viewer}` },
        body: JSON.stringify({ query, variables: { id: ids.alpha } }),
      });
    await read();
    const cached = await read();
    expect(cached.headers.get('x-kdlens-cache')).toBe('hit');
    expect(await cached.json()).toEqual({
      data: { experiment: { name: 'alpha', tags: [], note: null } },
    });

    const r = await gql<{ updateExperimentAnnotations: { experiment: object } }>(
      server.url,
      annotate,
      {
        variables: {
          input: { name: 'alpha', tags: [' cifar ', 'resnet', 'cifar'], note: 'first try' },
        },
        token: tokens.operator,
      },
    );
    expect(r.errors).toEqual([]);
    expect(r.data?.updateExperimentAnnotations.experiment).toEqual({
      id: ids.alpha,
      name: 'alpha',
      tags: ['cifar', 'resnet'],
      note: 'first try',
    });
    // Well inside the minute-long version window: only the mutation's invalidation can explain it.
    const fresh = await read();
    expect(fresh.headers.get('x-kdlens-cache')).toBe('miss');
    expect(await fresh.json()).toEqual({
      data: { experiment: { name: 'alpha', tags: ['cifar', 'resnet'], note: 'first try' } },
    });

    // A blank note removes it.
    const cleared = await gql<{ updateExperimentAnnotations: { experiment: { note: unknown } } }>(
      server.url,
      annotate,
      {
        variables: { input: { id: ids.alpha, tags: ['cifar', 'resnet'], note: '  ' } },
        token: tokens.operator,
      },
    );
    expect(cleared.data?.updateExperimentAnnotations.experiment.note).toBeNull();
  });

  it('filters the list by tag', async () => {
    for (const [name, tags] of [
      ['beta', ['cifar']],
      ['delta', ['mlp']],
    ] as const) {
      const r = await gql(server.url, annotate, {
        variables: { input: { name, tags } },
        token: tokens.operator,
      });
      expect(r.errors).toEqual([]);
    }
    const cifar = await page({
      filter: { tag: 'cifar' },
      first: 10,
      sort: 'MAX_DPD',
      order: 'DESC',
    });
    expect(cifar.totalCount).toBe(2);
    expect(cifar.edges.map((e) => [e.node.name, e.node.tags])).toEqual([
      ['beta', ['cifar']],
      ['alpha', ['cifar', 'resnet']],
    ]);
    expect((await page({ filter: { tag: 'resnet' }, first: 10 })).totalCount).toBe(1);
    const none = await page({ filter: { tag: 'nothing' }, first: 10 });
    expect(none).toMatchObject({ totalCount: 0, edges: [] });
    const bad = await gql(server.url, pageQuery, {
      variables: { filter: { tag: 'CIFAR' }, first: 10 },
      token: tokens.viewer,
    });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors[0]?.extensions?.argument).toBe('filter.tag');
  });
});

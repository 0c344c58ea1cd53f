import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { startApiServer } from '@kdlens/api';
import { createLogger, parseSpecText, readPresetText } from '@kdlens/core';
import { apiTokens, authenticateApiToken, createApiToken, revokeApiToken } from '@kdlens/core/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql } from '../support/api-client.ts';
import { runCli, startCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('silent', 'api-auth');
let t: TestDatabase;
let api: { child: ChildProcess; exited: Promise<number | null> } | undefined;
let url = '';
const stops: (() => Promise<void>)[] = [];
const tokens = { viewer: '', operator: '', admin: '', revoked: '' };

beforeAll(async () => {
  t = await createTestDatabase('auth');
  const db = t.warehouse.db;
  tokens.viewer = (await createApiToken(db, { name: 'vera', role: 'viewer' })).token;
  tokens.admin = (await createApiToken(db, { name: 'root', role: 'admin' })).token;
  const revoked = await createApiToken(db, { name: 'mallory', role: 'operator' });
  await revokeApiToken(db, revoked.info.id);
  tokens.revoked = revoked.token;
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  if (api) {
    api.child.kill('SIGINT');
    await api.exited;
  }
  await t?.drop();
});

describe('kdlens token', () => {
  it('create prints the token once and stores only its SHA-256', async () => {
    const created = await runCli(['token', 'create', '--role', 'operator', '--name', 'alice'], {
      DATABASE_URL: t.url,
    });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^kdl_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/shown only now/);
    tokens.operator = token;

    const rows = await t.warehouse.db.select().from(apiTokens);
    const alice = rows.find((r) => r.name === 'alice');
    expect(alice?.role).toBe('operator');
    expect(alice?.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    // The plaintext is nowhere in the table.
    expect(JSON.stringify(rows)).not.toContain(token.slice(12));

    const listed = await runCli(['token', 'list'], { DATABASE_URL: t.url });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/alice\s+operator/);
    expect(listed.stdout).toMatch(/mallory\s+operator.*revoked/);
    expect(listed.stdout).not.toContain(token.slice(12));
  });

  it('refuses an unknown role and a missing name', async () => {
    const bad = await runCli(['token', 'create', '--role', 'root', '--name', 'x'], {
      DATABASE_URL: t.url,
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/viewer, operator, admin/);
    const noName = await runCli(['token', 'create', '--role', 'viewer'], { DATABASE_URL: t.url });
    expect(noName.code).not.toBe(0);
    expect(noName.stderr).toMatch(/--name/);
  });
});

describe('api token queries', () => {
  it('authenticate: only a live token, and it stamps last_used_at', async () => {
    const { token, info } = await createApiToken(t.warehouse.db, { name: 'q', role: 'viewer' });
    expect(info.lastUsedAt).toBeNull();
    const found = await authenticateApiToken(t.warehouse.db, token);
    expect(found?.id).toBe(info.id);
    expect(found).not.toHaveProperty('tokenHash');
    const [row] = await t.warehouse.db.select().from(apiTokens).where(eq(apiTokens.id, info.id));
    expect(row?.lastUsedAt).toBeInstanceOf(Date);
    // One character off, garbage, and the hash itself are all refused.
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const wrong of [flipped, 'kdl_', 'x'.repeat(10_000), row?.tokenHash ?? '']) {
      expect(await authenticateApiToken(t.warehouse.db, wrong)).toBeUndefined();
    }
    const first = await revokeApiToken(t.warehouse.db, info.id);
    const again = await revokeApiToken(t.warehouse.db, info.prefix);
    expect(again?.revokedAt).toEqual(first?.revokedAt);
    expect(await authenticateApiToken(t.warehouse.db, token)).toBeUndefined();
    expect(await revokeApiToken(t.warehouse.db, 'kdl_')).toBeUndefined();
  });
});

// The matrix runs against `kdlens api` itself, so the mutations go through the same wiring as
// production: enqueueStudy, requestCancel and writeImportedStudy on the real warehouse.
describe('auth matrix over `kdlens api` (anonymous read off)', () => {
  let demoText = '';
  let demoSpec: ReturnType<typeof parseSpecText>;
  let experimentId = '';
  let runIds: string[] = [];

  beforeAll(async () => {
    demoText = await readPresetText('demo');
    demoSpec = parseSpecText(demoText, 'demo.yaml');
    const port = await freePort();
    api = await startCli(
      ['api'],
      { DATABASE_URL: t.url, KDLENS_API_PORT: String(port), LOG_LEVEL: 'warn' },
      /GraphQL API at/,
    );
    url = `http://127.0.0.1:${port}/graphql`;
  });

  /** One field of a caller's successful answer; fails the test when it is missing. */
  function answer<T>(
    results: Map<Caller, Record<string, unknown>>,
    caller: Caller,
    field: string,
  ): T {
    const value = results.get(caller)?.[field];
    if (value === undefined) throw new Error(`${caller} got no ${field}`);
    return value as T;
  }

  type Caller = 'none' | 'viewer' | 'revoked' | 'operator' | 'admin';
  const callers: Caller[] = ['none', 'viewer', 'revoked', 'operator', 'admin'];
  const tokenOf = (c: Caller) => (c === 'none' ? undefined : tokens[c]);
  const refused = { none: 'UNAUTHENTICATED', revoked: 'UNAUTHENTICATED', viewer: 'FORBIDDEN' };

  /** Runs the mutation as every caller; those without the role get the expected code and no data. */
  async function matrix(
    query: string,
    variables: (caller: Caller) => object,
    allowed: Caller[],
    /** Runs once the refused callers are done, before the first allowed one. */
    beforeAllowed?: () => Promise<void>,
  ): Promise<Map<Caller, Record<string, unknown>>> {
    const results = new Map<Caller, Record<string, unknown>>();
    for (const caller of callers) {
      if (caller === allowed[0]) await beforeAllowed?.();
      const token = tokenOf(caller);
      const r = await gql(url, query, {
        variables: variables(caller),
        ...(token ? { token } : {}),
      });
      if (allowed.includes(caller)) {
        expect(r.errors, `${caller}: ${r.text}`).toEqual([]);
        results.set(caller, r.data ?? {});
      } else {
        const expected =
          caller === 'operator' ? 'FORBIDDEN' : refused[caller as keyof typeof refused];
        expect(codes(r), `${caller}: ${r.text}`).toEqual([expected]);
        expect(r.data ?? null, caller).toBeNull();
        expect(r.status, caller).toBe(expected === 'UNAUTHENTICATED' ? 401 : 403);
      }
    }
    return results;
  }

  it('reading needs a token: 401 UNAUTHENTICATED without one, data with any valid one', async () => {
    const read = '{ experiments(first: 5) { totalCount } }';
    const anonymous = await gql(url, read);
    expect(anonymous.status).toBe(401);
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    for (const caller of ['viewer', 'operator', 'admin'] as const) {
      const r = await gql(url, read, { token: tokens[caller] });
      expect(r.errors, caller).toEqual([]);
    }
    const revoked = await gql(url, read, { token: tokens.revoked });
    expect(codes(revoked)).toEqual(['UNAUTHENTICATED']);
    const malformed = await gql(url, read, { headers: { authorization: 'Basic dXNlcjpwdw==' } });
    expect(codes(malformed)).toEqual(['UNAUTHENTICATED']);
    // `viewer` and introspection need no token (introspection stays on).
    const who = await gql<{ viewer: unknown; __schema: { queryType: { name: string } } }>(
      url,
      '{ viewer { role anonymous name canRead } __schema { queryType { name } } }',
    );
    expect(who.data).toEqual({
      viewer: { role: null, anonymous: true, name: null, canRead: false },
      __schema: { queryType: { name: 'Query' } },
    });
    const me = await gql(url, '{ viewer { role anonymous name canRead } }', {
      token: tokens.operator,
    });
    expect(me.data).toEqual({
      viewer: { role: 'operator', anonymous: false, name: 'alice', canRead: true },
    });
  });

  it('launchExperiment: operator and admin; the spec as an object or as YAML text', async () => {
    const query =
      'mutation($spec: JSON!) { launchExperiment(input: { spec: $spec }) { experiment { id name status } } }';
    const results = await matrix(
      query,
      () => ({ spec: demoSpec }),
      ['operator', 'admin'],
      async () => {
        // The refused launches recorded nothing.
        expect(await t.warehouse.db.query.experiments.findMany()).toEqual([]);
      },
    );
    const launched = answer<{ experiment: { id: string; name: string } }>(
      results,
      'operator',
      'launchExperiment',
    ).experiment;
    expect(launched.name).toBe('demo');
    // Idempotent, as `kdlens run` is: the admin's launch is the same experiment.
    expect(
      answer<{ experiment: { id: string } }>(results, 'admin', 'launchExperiment').experiment.id,
    ).toBe(launched.id);
    const asText = await gql<{ launchExperiment: { experiment: { id: string } } }>(url, query, {
      variables: { spec: demoText },
      token: tokens.operator,
    });
    expect(asText.data?.launchExperiment.experiment.id).toBe(launched.id);
    experimentId = launched.id;
    const runs = await gql<{ experiment: { runs: { id: string; status: string }[] } }>(
      url,
      'query($id: ID!) { experiment(id: $id) { runs { id status } } }',
      { variables: { id: experimentId }, token: tokens.viewer },
    );
    runIds = runs.data?.experiment.runs.map((r) => r.id) ?? [];
    // demo: teacher + NDS + 3 temperatures, 3 seeds.
    expect(runIds).toHaveLength(15);
    expect(new Set(runs.data?.experiment.runs.map((r) => r.status))).toEqual(new Set(['queued']));
  });

  it('Experiment.spec: the launched spec as typed fields, equal to the spec sent; specJson as stored', async () => {
    const model = `{ architecture epochs batchSize learningRate scheduleUnit pretrained
      optimizer { name momentum nesterov weightDecay beta1 beta2 epsilon }
      schedule { name warmupSteps milestones gamma minLr }
      options { hidden width dModel numHeads numLayers ffDim dropout pooling embeddingDim units } }`;
    const r = await gql<{ experiment: { spec: Record<string, unknown>; specJson: unknown } }>(
      url,
      `query($id: ID!) { experiment(id: $id) { specJson spec { name description backend seeds
        dataset { name root label sensitive imageSize validationSplit maxLength subset { train test }
          augment { padding flip } columns { path text split }
          generator { seed trainCount testCount correlation testCorrelation } }
        teacher ${model} student ${model} kd { alpha temperatures }
        evaluation { topK individualFairness { features distance pairs neighbors } } } } }`,
      { variables: { id: experimentId }, token: tokens.operator },
    );
    expect(r.errors, r.text).toEqual([]);
    const typed = r.data?.experiment.spec;
    // presets/demo.yaml, read here: what the typed fields must say.
    expect(typed).toMatchObject({
      name: 'demo',
      dataset: { name: 'trifeature', label: 'shape', sensitive: ['color', 'texture'] },
      teacher: { architecture: 'reference-cnn', epochs: 4, optimizer: { name: 'adam' } },
      student: {
        architecture: 'reference-cnn',
        epochs: 3,
        schedule: { name: 'cosine' },
        options: { width: 12 },
      },
    });
    // Every field equals the parsed spec's value; fields the spec leaves out are null.
    const nullFor = <T extends object>(keys: string[], value: T) =>
      Object.fromEntries(keys.map((k) => [k, (value as Record<string, unknown>)[k] ?? null]));
    const modelKeys = [
      'architecture',
      'epochs',
      'batchSize',
      'learningRate',
      'scheduleUnit',
      'pretrained',
    ];
    const expectModel = (m: (typeof demoSpec)['teacher']) => ({
      ...nullFor(modelKeys, m),
      optimizer: nullFor(
        ['name', 'momentum', 'nesterov', 'weightDecay', 'beta1', 'beta2', 'epsilon'],
        m.optimizer,
      ),
      schedule: nullFor(['name', 'warmupSteps', 'milestones', 'gamma', 'minLr'], m.schedule),
      options: nullFor(
        [
          'hidden',
          'width',
          'dModel',
          'numHeads',
          'numLayers',
          'ffDim',
          'dropout',
          'pooling',
          'embeddingDim',
          'units',
        ],
        m.options,
      ),
    });
    const d = demoSpec.dataset;
    const fairness = demoSpec.evaluation.individualFairness;
    expect(typed).toEqual({
      name: demoSpec.name,
      description: demoSpec.description ?? null,
      backend: demoSpec.backend,
      seeds: demoSpec.seeds,
      dataset: {
        ...nullFor(
          ['name', 'root', 'label', 'sensitive', 'imageSize', 'validationSplit', 'maxLength'],
          d,
        ),
        subset: d.subset ? nullFor(['train', 'test'], d.subset) : null,
        augment: d.augment ?? null,
        columns: d.columns ? nullFor(['path', 'text', 'split'], d.columns) : null,
        generator: d.generator
          ? nullFor(
              ['seed', 'trainCount', 'testCount', 'correlation', 'testCorrelation'],
              d.generator,
            )
          : null,
      },
      teacher: expectModel(demoSpec.teacher),
      student: expectModel(demoSpec.student),
      kd: { alpha: demoSpec.kd.alpha, temperatures: demoSpec.kd.temperatures },
      evaluation: {
        topK: demoSpec.evaluation.topK,
        individualFairness: {
          ...fairness,
          // The one union a GraphQL Int cannot hold: "all" shows as null.
          pairs: fairness.pairs === 'all' ? null : fairness.pairs,
        },
      },
    });
    // The JSON is the spec as launched, every default filled in.
    expect(r.data?.experiment.specJson).toEqual(JSON.parse(JSON.stringify(demoSpec)));
  });

  it('launchExperiment: spec problems are BAD_USER_INPUT with path and message each', async () => {
    const launch =
      'mutation($spec: JSON!) { launchExperiment(input: { spec: $spec }) { experiment { id } } }';
    const r = await gql(url, launch, {
      variables: { spec: { ...demoSpec, name: '', kd: { temperatures: [-1] }, typo: 1 } },
      token: tokens.operator,
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const problems = r.errors[0]?.extensions?.problems as { path: string; message: string }[];
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('name');
    expect(paths).toContain('typo');
    expect(paths.some((p) => p.startsWith('kd.'))).toBe(true);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(0);
  });

  it('cancelRun: operator and admin', async () => {
    const runId = runIds[runIds.length - 1] ?? '';
    const results = await matrix(
      'mutation($id: ID!) { cancelRun(input: { id: $id }) { run { id status } } }',
      () => ({ id: runId }),
      ['operator', 'admin'],
    );
    expect(results.get('admin')?.cancelRun).toEqual({ run: { id: runId, status: 'cancelled' } });
  });

  it('cancelExperiment: operator and admin; every queued run ends cancelled', async () => {
    const results = await matrix(
      'mutation($id: ID!) { cancelExperiment(input: { id: $id }) { experiment { id status runs { status } } } }',
      () => ({ id: experimentId }),
      ['operator', 'admin'],
    );
    const { experiment } = answer<{
      experiment: { status: string; runs: { status: string }[] };
    }>(results, 'admin', 'cancelExperiment');
    expect(new Set(experiment.runs.map((r) => r.status))).toEqual(new Set(['cancelled']));
    expect(experiment.status).toBe('cancelled');
    // By name, as everywhere an experiment is addressed; exactly one of id and name.
    const byName = await gql<{ cancelExperiment: { experiment: { id: string; status: string } } }>(
      url,
      'mutation { cancelExperiment(input: { name: "demo" }) { experiment { id status } } }',
      { token: tokens.operator },
    );
    expect(byName.data?.cancelExperiment.experiment).toEqual({
      id: experimentId,
      status: 'cancelled',
    });
    for (const input of ['{}', `{ id: "${experimentId}", name: "demo" }`]) {
      const wrong = await gql(
        url,
        `mutation { cancelExperiment(input: ${input}) { experiment { id } } }`,
        { token: tokens.operator },
      );
      expect(codes(wrong), input).toEqual(['BAD_USER_INPUT']);
      expect(wrong.errors[0]?.message).toMatch(/exactly one of input\.id and input\.name/);
    }
  });

  it('importPredictions: operator and admin; nothing is written for the refused', async () => {
    const csv = (role: string, preds: number[]) =>
      [
        `# role: ${role}`,
        '# seed: 0',
        '# classes: cat, dog, bird',
        'id,label,pred',
        ...preds.map((p, i) => `e${i},${i % 3},${p}`),
        '',
      ].join('\n');
    const files = [
      { name: 'teacher.csv', content: csv('teacher', [0, 1, 2, 0, 1, 2]) },
      { name: 'student.csv', content: csv('student', [0, 1, 1, 0, 2, 2]) },
    ];
    const results = await matrix(
      'mutation($name: String!, $files: [ImportFileInput!]!) { importPredictions(input: { experimentName: $name, files: $files }) { runsImported experiment { name status } } }',
      (caller) => ({ files, name: `imported-by-${caller}` }),
      ['operator', 'admin'],
    );
    expect(results.get('operator')?.importPredictions).toEqual({
      runsImported: 2,
      experiment: { name: 'imported-by-operator', status: 'succeeded' },
    });
    const names = await t.warehouse.db.query.experiments.findMany({ columns: { name: true } });
    expect(
      names
        .map((e) => e.name)
        .filter((n) => n.startsWith('imported-by-'))
        .sort(),
    ).toEqual(['imported-by-admin', 'imported-by-operator']);
    const broken = await gql(
      url,
      'mutation($files: [ImportFileInput!]!) { importPredictions(input: { experimentName: "broken", files: $files }) { runsImported } }',
      {
        variables: { files: [{ name: 'bad.csv', content: 'id,label,pred\na,zero,0\n' }] },
        token: tokens.operator,
      },
    );
    expect(codes(broken)).toEqual(['BAD_USER_INPUT']);
    const problems = broken.errors[0]?.extensions?.problems as { file: string }[];
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.file).toBe('bad.csv');
  });

  it('createApiToken and revokeApiToken: admin only; a revoked token stops working at once', async () => {
    const created = await matrix(
      'mutation { createApiToken(input: { name: "ci", role: viewer }) { token apiToken { id name role revokedAt } } }',
      () => ({}),
      ['admin'],
    );
    const made = created.get('admin')?.createApiToken as {
      token: string;
      apiToken: { id: string; role: string; revokedAt: null };
    };
    expect(made.apiToken).toMatchObject({ name: 'ci', role: 'viewer', revokedAt: null });
    expect((await gql(url, '{ viewer { name } }', { token: made.token })).data).toEqual({
      viewer: { name: 'ci' },
    });

    const revoked = await matrix(
      'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id revokedAt } } }',
      () => ({ id: made.apiToken.id }),
      ['admin'],
    );
    expect(
      answer<{ apiToken: { id: string; revokedAt: string } }>(revoked, 'admin', 'revokeApiToken')
        .apiToken,
    ).toEqual({ id: made.apiToken.id, revokedAt: expect.stringMatching(/^\d{4}-/) });
    const after = await gql(url, '{ experiments(first: 1) { totalCount } }', { token: made.token });
    expect(codes(after)).toEqual(['UNAUTHENTICATED']);

    // Only the admin's createApiToken made a token: ci, beside those made before the matrix.
    const list = await gql<{ apiTokens: { name: string }[] }>(url, '{ apiTokens { name } }', {
      token: tokens.admin,
    });
    expect(list.data?.apiTokens.map((t) => t.name).sort()).toEqual(
      ['alice', 'ci', 'mallory', 'q', 'root', 'vera'].sort(),
    );
    expect(codes(await gql(url, '{ apiTokens { name } }', { token: tokens.operator }))).toEqual([
      'FORBIDDEN',
    ]);
  });

  it('kdlens token revoke <prefix> locks the token out of the API', async () => {
    // Any start of the listed prefix will do (here kdl_ and 6 of its 8 characters).
    const prefix = tokens.operator.slice(0, 10);
    const r = await runCli(['token', 'revoke', prefix], { DATABASE_URL: t.url });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/revoked operator token "alice"/);
    const after = await gql(url, '{ viewer { role } }', { token: tokens.operator });
    expect(codes(after)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('anonymous read', () => {
  async function serve(host: string, allowAnonymousRead: boolean): Promise<string> {
    const server = await startApiServer({
      db: t.warehouse.db,
      log,
      host,
      port: 0,
      allowAnonymousRead,
    });
    stops.push(server.stop);
    return server.url.replace(`//${host}:`, '//127.0.0.1:');
  }
  const read = '{ experiments(first: 5) { totalCount } }';

  it('is allowed on a loopback listener with the flag, and never for mutations', async () => {
    const u = await serve('127.0.0.1', true);
    const r = await gql(u, read);
    expect(r.errors).toEqual([]);
    expect((await gql(u, '{ viewer { anonymous canRead } }')).data).toEqual({
      viewer: { anonymous: true, canRead: true },
    });
    const mutation = await gql(
      u,
      'mutation { cancelRun(input: { id: "00000000-0000-4000-8000-000000000000" }) { run { id } } }',
    );
    expect(codes(mutation)).toEqual(['UNAUTHENTICATED']);
    // A revoked token is refused, not quietly downgraded to anonymous.
    expect(codes(await gql(u, read, { token: tokens.revoked }))).toEqual(['UNAUTHENTICATED']);
  });

  it('is refused on loopback without the flag', async () => {
    const u = await serve('127.0.0.1', false);
    expect(codes(await gql(u, read))).toEqual(['UNAUTHENTICATED']);
  });

  it('is refused with the flag when the listener is not loopback (0.0.0.0)', async () => {
    const u = await serve('0.0.0.0', true);
    expect(codes(await gql(u, read))).toEqual(['UNAUTHENTICATED']);
    expect((await gql(u, read, { token: tokens.viewer })).errors).toEqual([]);
  });
});

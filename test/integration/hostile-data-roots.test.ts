/**
 * Issue 12, items 1, 14 and 11 (worker half): a spec may only make workers read inside the
 * folders the server's owner allows (KDLENS_DATA_ROOTS), checked at launch and validation and
 * again by the worker on the real path; stored run errors never quote files, hold no NUL, and
 * show viewers no server paths.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger, parseSpecText } from '@kdlens/core';
import { createApiToken, findExperimentById, listRunsOfExperiments } from '@kdlens/core/db';
import { waitForExperiment } from '@kdlens/core/queue';
import { enqueueStudy } from '@kdlens/core/study';
import { startWorkers } from '@kdlens/trainer';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, gql } from '../support/api-client.ts';
import { runCli, startCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('silent', 'hostile-data-roots');
let t: TestDatabase;
let dir = '';
let allowed = '';
let secretFile = '';
let url = '';
let api: { child: ChildProcess; exited: Promise<number | null> } | undefined;
const tokens = { viewer: '', operator: '' };
// A relative allowed root: the API server resolves it, and relative spec roots, from where it
// runs (this test's working directory). Nothing is created there.
const relativeRoot = `kdlens-roots-test-${process.pid}`;
const SECRET = 'KDLENS_SECRET_TOKEN=hunter2';

/** A CSV spec with text rows; `extra` overrides fields. */
function csvSpec(name: string, root: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    dataset: { name: 'csv', root, label: 'label', columns: { text: 'text' }, maxLength: 8 },
    teacher: { architecture: 'bigru', epochs: 1, batchSize: 4, learningRate: 0.01 },
    student: { architecture: 'bigru', epochs: 1, batchSize: 4, learningRate: 0.01 },
    kd: { temperatures: [2] },
    seeds: 1,
    evaluation: { individualFairness: { features: 'teacher-embedding' } },
    backend: 'wasm',
    ...extra,
  };
}

const LAUNCH =
  'mutation($spec: JSON!) { launchExperiment(input: { spec: $spec }) { experiment { id } } }';
type Problems = { path: string; message: string }[];

beforeAll(async () => {
  t = await createTestDatabase('roots');
  tokens.viewer = (await createApiToken(t.warehouse.db, { name: 'v', role: 'viewer' })).token;
  tokens.operator = (await createApiToken(t.warehouse.db, { name: 'o', role: 'operator' })).token;
  dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-roots-'));
  allowed = path.join(dir, 'allowed');
  await mkdir(allowed);
  await mkdir(path.join(dir, 'outside'));
  // What a hostile spec wants to read: a file whose first line is a secret.
  secretFile = path.join(dir, 'outside', 'secret.csv');
  await writeFile(secretFile, `${SECRET}\nhunter3\n`);
  // Planted inside an allowed folder, pointing out of it.
  await symlink(secretFile, path.join(allowed, 'link.csv'));
  const port = await freePort();
  api = await startCli(
    ['api'],
    {
      DATABASE_URL: t.url,
      KDLENS_API_PORT: String(port),
      KDLENS_DATA_ROOTS: `${allowed}:${relativeRoot}`,
    },
    /GraphQL API at/,
  );
  url = `http://127.0.0.1:${port}/graphql`;
}, 120_000);

afterAll(async () => {
  if (api) {
    api.child.kill('SIGINT');
    await api.exited;
  }
  await t?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('data roots at launch and validation', () => {
  it('launchExperiment refuses /etc/passwd and /proc/self/environ as BAD_USER_INPUT on dataset.root, writing nothing', async () => {
    for (const root of ['/etc/passwd', '/proc/self/environ', `${allowed}/../outside/secret.csv`]) {
      const r = await gql(url, LAUNCH, {
        variables: { spec: csvSpec('steal', root) },
        token: tokens.operator,
      });
      expect(codes(r), r.text).toEqual(['BAD_USER_INPUT']);
      const problems = (r.errors[0]?.extensions?.problems ?? []) as Problems;
      expect(problems.map((p) => p.path)).toEqual(['dataset.root']);
      const message = problems[0]?.message ?? '';
      expect(message).toMatch(
        root.startsWith('/proc')
          ? /^\/proc\/self\/environ is a system folder, not data$/
          : / is outside the data folders this server allows \(/,
      );
      // Nothing of the file reached the answer.
      expect(r.text).not.toContain('root:x:0');
      expect(r.text).not.toContain(SECRET);
    }
    expect(await t.warehouse.db.query.experiments.findMany()).toEqual([]);
  });

  it('launchExperiment refuses pretrained weights outside the roots, naming teacher.pretrained', async () => {
    const spec = csvSpec('weights', path.join(allowed, 'data.csv'));
    const r = await gql(url, LAUNCH, {
      variables: { spec: { ...spec, teacher: { ...spec.teacher, pretrained: '/etc' } } },
      token: tokens.operator,
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const problems = (r.errors[0]?.extensions?.problems ?? []) as Problems;
    expect(problems.map((p) => p.path)).toEqual(['teacher.pretrained']);
    expect(await t.warehouse.db.query.experiments.findMany()).toEqual([]);
  });

  it('kdlens spec validate exits 1 naming dataset.root and teacher.pretrained', async () => {
    const file = path.join(dir, 'steal.yaml');
    await writeFile(
      file,
      JSON.stringify({
        ...csvSpec('steal', '/proc/self/environ'),
        teacher: { ...csvSpec('x', '').teacher, pretrained: 'outside' },
      }),
    );
    const result = await runCli(['spec', 'validate', file], { KDLENS_DATA_ROOTS: allowed });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `kdlens: ${file}: 2 problems in the experiment spec`,
      `${file} dataset.root: /proc/self/environ is a system folder, not data`,
      // Relative to the spec file's folder, like dataset.root.
      `${file} teacher.pretrained: ${path.join(dir, 'outside')} is outside the data folders this server allows (${allowed}); put the data under one of them, or ask the server's owner to add its folder to KDLENS_DATA_ROOTS`,
    ]);
    // The same spec inside the roots validates.
    const fine = path.join(allowed, 'fine.yaml');
    await writeFile(fine, JSON.stringify(csvSpec('fine', 'data.csv')));
    const ok = await runCli(['spec', 'validate', fine], { KDLENS_DATA_ROOTS: allowed });
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('the worker', () => {
  let symlinked = '';

  it('refuses a symlink inside a root that leads outside; the stored error quotes neither the file nor its target', async () => {
    // Lexically inside the roots: the launch accepts it.
    const r = await gql<{ launchExperiment: { experiment: { id: string } } }>(url, LAUNCH, {
      variables: { spec: csvSpec('symlinked', path.join(allowed, 'link.csv')) },
      token: tokens.operator,
    });
    expect(r.errors, r.text).toEqual([]);
    symlinked = r.data?.launchExperiment.experiment.id ?? '';
    const worker = await startCli(
      ['worker'],
      { DATABASE_URL: t.url, KDLENS_DATA_ROOTS: allowed, KDLENS_BACKEND: 'wasm' },
      /waiting for units/,
    );
    try {
      const status = await waitForExperiment(t.warehouse.db, symlinked, {
        pollMs: 200,
        signal: AbortSignal.timeout(60_000),
      });
      expect(status).toBe('failed');
    } finally {
      worker.child.kill('SIGINT');
      await worker.exited;
    }
    const runs = await listRunsOfExperiments(t.warehouse.db, [symlinked]);
    const trained = runs.filter((run) => run.role !== 'distilled');
    expect(trained.map((run) => [run.role, run.status])).toEqual([
      ['teacher', 'failed'],
      ['student', 'failed'],
    ]);
    for (const run of trained) {
      expect(run.error).toBe(
        `dataset.root: ${path.join(allowed, 'link.csv')} leads outside the data folders this server allows (a symbolic link?); the worker refuses to read it`,
      );
    }
    for (const run of runs) {
      expect(run.error ?? '').not.toContain('hunter');
      expect(run.error ?? '').not.toContain(secretFile);
    }
  }, 90_000);

  it('ends a run whose error holds NUL and control characters as failed, storing the cleaned text', async () => {
    const spec = parseSpecText(
      JSON.stringify({
        ...csvSpec('nul', ''),
        dataset: { name: 'trifeature', imageSize: 16, generator: { trainCount: 8, testCount: 8 } },
        teacher: { architecture: 'mlp', epochs: 1, batchSize: 4, learningRate: 0.01 },
        student: { architecture: 'mlp', epochs: 1, batchSize: 4, learningRate: 0.01 },
        evaluation: {},
      }),
      'nul spec',
    );
    const { experimentId } = await enqueueStudy(t.warehouse, spec, { log, timings: {} });
    // What a loader quoting a binary file used to throw.
    const thrown = `no column "a\u0000b" in \u001b[31mdata\u0007${'x'.repeat(5000)}`;
    const workers = await startWorkers({
      warehouse: t.warehouse,
      concurrency: 1,
      runUnit: async () => {
        throw new Error(thrown);
      },
      log,
      pollSeconds: 0.2,
      reconcileSeconds: 1,
    });
    try {
      const status = await waitForExperiment(t.warehouse.db, experimentId, {
        pollMs: 200,
        signal: AbortSignal.timeout(30_000),
      });
      expect(status).toBe('failed');
    } finally {
      await workers.stop();
    }
    const runs = await listRunsOfExperiments(t.warehouse.db, [experimentId]);
    expect(runs.map((run) => run.status)).toEqual(['failed', 'failed', 'failed']);
    const teacher = runs.find((run) => run.role === 'teacher');
    const expectedHead = 'no column "ab" in [31mdata';
    expect(teacher?.error?.startsWith(`${expectedHead}xxx`)).toBe(true);
    // 2,000 characters at most, and the cut said so.
    expect(teacher?.error?.length).toBeLessThanOrEqual(2000);
    expect(teacher?.error?.endsWith(` … (cut: the error had ${thrown.length} characters)`)).toBe(
      true,
    );
  }, 60_000);

  it('shows viewers run errors without server paths, operators with them', async () => {
    const query = 'query($id: ID!) { experiment(id: $id) { runs { role error } } }';
    const asOperator = await gql<{ experiment: { runs: { role: string; error: string }[] } }>(
      url,
      query,
      { variables: { id: symlinked }, token: tokens.operator },
    );
    const asViewer = await gql<{ experiment: { runs: { role: string; error: string }[] } }>(
      url,
      query,
      { variables: { id: symlinked }, token: tokens.viewer },
    );
    const operatorTeacher = asOperator.data?.experiment.runs.find((r) => r.role === 'teacher');
    const viewerTeacher = asViewer.data?.experiment.runs.find((r) => r.role === 'teacher');
    expect(operatorTeacher?.error).toContain(path.join(allowed, 'link.csv'));
    expect(viewerTeacher?.error).toBe(
      'dataset.root: <csv> leads outside the data folders this server allows (a symbolic link?); the worker refuses to read it',
    );
    expect(asViewer.text).not.toContain(dir);
    // The same through `run`, asked by the viewer first this time (the cache keys on the view).
    const runId = await t.warehouse.db.query.runs
      .findFirst({
        where: (r, { eq, and }) => and(eq(r.experimentId, symlinked), eq(r.role, 'teacher')),
      })
      .then((row) => row?.id ?? '');
    const runQuery = 'query($id: ID!) { run(id: $id) { error } }';
    const viewerRun = await gql(url, runQuery, { variables: { id: runId }, token: tokens.viewer });
    const operatorRun = await gql(url, runQuery, {
      variables: { id: runId },
      token: tokens.operator,
    });
    expect(viewerRun.text).not.toContain(dir);
    expect(operatorRun.text).toContain(path.join(allowed, 'link.csv'));
  });
});

describe('files below an allowed root', () => {
  /** An image spec (MLP on 8 px images) for data set `dataset`. */
  function imageSpec(name: string, dataset: Record<string, unknown>) {
    const model = { architecture: 'mlp', epochs: 1, batchSize: 4, learningRate: 0.01 };
    return {
      ...csvSpec(name, ''),
      dataset: { imageSize: 8, ...dataset },
      teacher: model,
      student: model,
      evaluation: {},
    };
  }
  const outsideFolder = (file: string, folder: string) =>
    `${file}: leads outside the data set's folder ${folder} (a symbolic link?); a data set's files must stay inside its folder, so it is not read`;

  it('a CSV image path that is absolute or climbs out, a linked image and a linked CelebA list end the runs failed, naming the CSV line or the link', async () => {
    const outside = path.join(dir, 'outside');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
      .png()
      .toFile(path.join(outside, 'outside.png'));
    await writeFile(path.join(outside, 'shadow'), `root:$6$${SECRET}:19000:0:99999:7:::\n`);
    const png = (file: string) =>
      sharp({ create: { width: 8, height: 8, channels: 3, background: 'blue' } })
        .png()
        .toFile(file);

    // The two CSVs lie in folders of their own, so `../outside.png` climbs out of the CSV's
    // folder into a folder that is still allowed: the CSV's folder is the limit, not the roots.
    const absolute = path.join(allowed, 'csv-absolute', 'images.csv');
    await mkdir(path.dirname(absolute));
    await png(path.join(allowed, 'csv-absolute', 'in.png'));
    await writeFile(
      absolute,
      'path,label,split\nin.png,a,train\n/etc/hostname,b,train\nin.png,a,test\nin.png,b,test\n',
    );
    const climbing = path.join(allowed, 'csv-up', 'images.csv');
    await mkdir(path.dirname(climbing));
    await png(path.join(allowed, 'outside.png'));
    await writeFile(
      climbing,
      'label,path,split\na,../outside.png,train\nb,../outside.png,train\na,../outside.png,test\n',
    );

    const folder = path.join(allowed, 'folder');
    // Otherwise complete (train and test), so that without the check it would train.
    for (const split of ['train', 'test']) {
      for (const cls of ['cat', 'dog']) {
        await mkdir(path.join(folder, split, cls), { recursive: true });
        await png(path.join(folder, split, cls, '1.png'));
      }
    }
    const imageLink = path.join(folder, 'train', 'dog', '2.png');
    await symlink(path.join(outside, 'outside.png'), imageLink);

    const celeba = path.join(allowed, 'celeba');
    await mkdir(path.join(celeba, 'img_align_celeba'), { recursive: true });
    await writeFile(path.join(celeba, 'list_eval_partition.txt'), '000001.jpg 0\n');
    const listLink = path.join(celeba, 'list_attr_celeba.txt');
    await symlink(path.join(outside, 'shadow'), listLink);

    const launched: Record<string, string> = {};
    for (const [key, spec] of Object.entries({
      absolute: imageSpec('csv-absolute', {
        name: 'csv',
        root: absolute,
        label: 'label',
        columns: { path: 'path', split: 'split' },
      }),
      climbing: imageSpec('csv-up', {
        name: 'csv',
        root: climbing,
        label: 'label',
        columns: { path: 'path', split: 'split' },
      }),
      folder: imageSpec('linked-image', { name: 'image-folder', root: folder }),
      celeba: imageSpec('linked-list', { name: 'celeba', root: celeba }),
    })) {
      const r = await gql<{ launchExperiment: { experiment: { id: string } } }>(url, LAUNCH, {
        variables: { spec },
        token: tokens.operator,
      });
      expect(r.errors, r.text).toEqual([]);
      launched[key] = r.data?.launchExperiment.experiment.id ?? '';
    }

    const worker = await startCli(
      ['worker'],
      { DATABASE_URL: t.url, KDLENS_DATA_ROOTS: allowed, KDLENS_BACKEND: 'wasm' },
      /waiting for units/,
    );
    try {
      for (const id of Object.values(launched)) {
        const status = await waitForExperiment(t.warehouse.db, id, {
          pollMs: 200,
          signal: AbortSignal.timeout(60_000),
        });
        expect(status).toBe('failed');
      }
    } finally {
      worker.child.kill('SIGINT');
      await worker.exited;
    }

    const refusedPath = (file: string, line: number, column: number) =>
      `${file}:${line}: column ${column} ("path"): the image path leads outside the CSV's folder; image paths must be relative to the CSV and stay inside its folder`;
    const expected: Record<string, string> = {
      absolute: `dataset.root: cannot load csv: ${refusedPath(absolute, 3, 1)}`,
      climbing: `dataset.root: cannot load csv: ${refusedPath(climbing, 2, 2)}`,
      folder: `dataset.root: cannot load image-folder: ${outsideFolder(imageLink, folder)}`,
      celeba: `dataset.root: cannot load celeba: ${outsideFolder(listLink, celeba)}`,
    };
    const hostname = (await readFile('/etc/hostname', 'utf8').catch(() => '')).trim();
    for (const [key, id] of Object.entries(launched)) {
      const runs = await listRunsOfExperiments(t.warehouse.db, [id]);
      const trained = runs.filter((run) => run.role !== 'distilled');
      expect(trained.map((run) => [run.role, run.status])).toEqual([
        ['teacher', 'failed'],
        ['student', 'failed'],
      ]);
      for (const run of trained) expect(run.error).toBe(expected[key]);
      for (const run of runs) {
        const error = run.error ?? '';
        expect(error).not.toContain('/etc/hostname');
        expect(error).not.toContain(outside);
        expect(error).not.toContain('hunter2');
        if (hostname.length >= 4) expect(error).not.toContain(hostname);
      }
    }
  }, 120_000);
});

describe('relative roots through the API', () => {
  it('are stored absolute, from where the server runs and inside the roots; viewers see the data set name', async () => {
    const r = await gql<{ launchExperiment: { experiment: { id: string } } }>(url, LAUNCH, {
      variables: {
        spec: csvSpec('relative', `${relativeRoot}/data.csv`, {
          teacher: {
            ...csvSpec('x', '').teacher,
            pretrained: `${relativeRoot}/weights`,
          },
        }),
      },
      token: tokens.operator,
    });
    expect(r.errors, r.text).toEqual([]);
    const id = r.data?.launchExperiment.experiment.id ?? '';
    const stored = await findExperimentById(t.warehouse.db, id);
    const spec = stored?.spec as { dataset: { root: string }; teacher: { pretrained: string } };
    // The server was started in this test's working directory (test/).
    expect(spec.dataset.root).toBe(path.resolve(relativeRoot, 'data.csv'));
    expect(spec.teacher.pretrained).toBe(path.resolve(relativeRoot, 'weights'));

    // The JSON and the typed spec alike.
    const query =
      'query($id: ID!) { experiment(id: $id) { specJson spec { dataset { root } teacher { pretrained } } } }';
    type Paths = { dataset: { root: string }; teacher: { pretrained: string } };
    type SpecAnswer = { experiment: { specJson: Paths; spec: Paths } };
    const viewer = await gql<SpecAnswer>(url, query, { variables: { id }, token: tokens.viewer });
    for (const shown of [viewer.data?.experiment.specJson, viewer.data?.experiment.spec]) {
      expect(shown?.dataset.root).toBe('<csv>');
      expect(shown?.teacher.pretrained).toBe('<teacher weights>');
    }
    expect(viewer.text).not.toContain(process.cwd());
    const operator = await gql<SpecAnswer>(url, query, {
      variables: { id },
      token: tokens.operator,
    });
    for (const shown of [operator.data?.experiment.specJson, operator.data?.experiment.spec]) {
      expect(shown?.dataset.root).toBe(path.resolve(relativeRoot, 'data.csv'));
    }
  });
});

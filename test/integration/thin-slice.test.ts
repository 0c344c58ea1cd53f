import { startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, parseSpecText } from '@kdlens/core';
import { findExperimentByName, listRunsOfExperiments } from '@kdlens/core/db';
import { waitForExperiment } from '@kdlens/core/queue';
import { enqueueStudy } from '@kdlens/core/study';
import { createStudyRunUnit, startWorkers } from '@kdlens/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, haveChromium, launchChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { graphql } from '../support/graphql.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('warn', 'thin-slice');
let t: TestDatabase;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase('slice');
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await t?.drop();
});

describe('train → store → serve → show', () => {
  // A one-seed study named like the demo: a teacher, a plain student and a student distilled at
  // T = 4, trained through the job queue by an in-process worker. Label colour: learnable in a
  // few epochs of a tiny model, so the accuracies below are a real check.
  const spec = parseSpecText(
    `name: demo
dataset:
  name: trifeature
  label: color
  sensitive: [shape]
  imageSize: 16
  generator: { seed: 1, trainCount: 400, testCount: 200 }
teacher: { architecture: reference-cnn, epochs: 3, batchSize: 32, learningRate: 0.003 }
student: { architecture: lenet5, epochs: 3, batchSize: 32, learningRate: 0.003 }
kd: { temperatures: [4] }
seeds: 1
backend: wasm
`,
    'thin-slice spec',
  );

  it('trains the study into the warehouse through the queue, and only once', async () => {
    const first = await enqueueStudy(t.warehouse, spec, { log, timings: {} });
    expect(first).toMatchObject({ inserted: 3, restarted: 0, queued: 2 });
    const workers = await startWorkers({
      warehouse: t.warehouse,
      concurrency: 1,
      runUnit: createStudyRunUnit({ db: t.warehouse.db, machineBackend: 'auto', dataRoots: [] }),
      log,
      pollSeconds: 0.2,
      reconcileSeconds: 1,
    });
    try {
      expect(await waitForExperiment(t.warehouse.db, first.experimentId, { pollMs: 200 })).toBe(
        'succeeded',
      );
    } finally {
      await workers.stop();
    }
    const rows = await listRunsOfExperiments(t.warehouse.db, [first.experimentId]);
    expect(rows.map((r) => [r.role, r.temperature, r.status, r.backend])).toEqual([
      ['teacher', null, 'succeeded', 'wasm'],
      ['student', null, 'succeeded', 'wasm'],
      ['distilled', 4, 'succeeded', 'wasm'],
    ]);
    for (const run of rows) {
      const s = run.summary;
      if (!s) throw new Error(`run ${run.role} has no summary`);
      expect(s.classNames).toHaveLength(10);
      expect(s.testExamples).toBe(200);
      // Learned something: chance is 10% on ten colours.
      expect(s.accuracy).toBeGreaterThan(0.3);
      // Overall accuracy is the class accuracies weighted by class size; with every class
      // present their mean lies between their min and max.
      const perClass = s.classAccuracy.filter((v): v is number => v !== null);
      expect(s.accuracy).toBeGreaterThanOrEqual(Math.min(...perClass) - 1e-12);
      expect(s.accuracy).toBeLessThanOrEqual(Math.max(...perClass) + 1e-12);
    }
    const again = await enqueueStudy(t.warehouse, spec, { log, timings: {} });
    expect(again).toEqual({
      experimentId: first.experimentId,
      inserted: 0,
      restarted: 0,
      queued: 0,
    });
  });

  let apiUrl = '';
  let webUrl = '';
  it('serves the runs over GraphQL', async () => {
    const api = await startApiServer({
      db: t.warehouse.db,
      log,
      host: '127.0.0.1',
      port: 0,
      allowAnonymousRead: true,
    });
    stops.push(api.stop);
    apiUrl = api.url;
    const data = await graphql<{
      experiments: {
        totalCount: number;
        edges: {
          node: {
            name: string;
            status: string;
            runs: {
              role: string;
              temperature: number | null;
              seed: number;
              status: string;
              accuracy: number;
            }[];
          };
        }[];
      };
    }>(
      apiUrl,
      '{ experiments { totalCount edges { node { name status runs { role temperature seed status accuracy } } } } }',
    );
    expect(data.experiments.totalCount).toBe(1);
    const demo = data.experiments.edges[0]?.node;
    expect(demo?.name).toBe('demo');
    expect(demo?.runs.map((r) => [r.role, r.temperature, r.seed, r.status])).toEqual([
      ['teacher', null, 0, 'succeeded'],
      ['student', null, 0, 'succeeded'],
      ['distilled', 4, 0, 'succeeded'],
    ]);
    const stored = await listRunsOfExperiments(t.warehouse.db, [
      (await findExperimentByName(t.warehouse.db, 'demo'))?.id ?? '',
    ]);
    expect(demo?.runs.map((r) => r.accuracy)).toEqual(stored.map((r) => r.summary?.accuracy));
  });

  it('shows the experiment and its runs on the web home page', async () => {
    const web = await startWeb({ port: await freePort(), apiUrl, log });
    stops.push(web.stop);
    webUrl = web.url;
    const html = await (await fetch(web.url)).text();
    expect(html).toContain('<h2 id="exp-');
    expect(html).toContain('>demo</h2>');
    const rows = html.match(/data-testid="run-row"/g) ?? [];
    expect(rows).toHaveLength(3);
    const stored = await listRunsOfExperiments(t.warehouse.db, [
      (await findExperimentByName(t.warehouse.db, 'demo'))?.id ?? '',
    ]);
    for (const run of stored) {
      expect(html).toContain(`${((run.summary?.accuracy ?? 0) * 100).toFixed(1)}%`);
    }
    // Runs are named in the paper's words the API serves (Run.label), as on every page.
    expect(html).toContain('<td>NDS</td>');
    // The per-class table: one row per class, one cell per run, in the stored order.
    const names = stored[0]?.summary?.classNames ?? [];
    expect(names).toHaveLength(10);
    expect(names.slice(0, 3)).toEqual(['red', 'green', 'blue']);
    names.forEach((name, c) => {
      const cells = stored
        .map(
          (r) => `<td class="num">${((r.summary?.classAccuracy[c] ?? 0) * 100).toFixed(1)}%</td>`,
        )
        .join('');
      expect(html).toContain(`<th scope="row">${name}</th>${cells}`);
    });
  });

  it.runIf(haveChromium || process.env.CI)('renders in a real headless Chromium', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(webUrl);
      await expect.poll(() => page.getByRole('heading', { name: 'demo' }).count()).toBe(1);
      const rows = page.getByTestId('run-row');
      expect(await rows.count()).toBe(3);
      expect(await rows.nth(1).locator('td').first().textContent()).toBe('NDS');
      const table = page.getByTestId('class-accuracy');
      expect(await table.locator('tbody tr').count()).toBe(10);
      expect(await table.locator('thead th').allTextContents()).toEqual([
        'class',
        'Teacher',
        'NDS',
        'KD T=4',
      ]);
      await page.screenshot({ path: `${artifactsDir}home.png`, fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('says in words when the API is down', async () => {
    const web = await startWeb({
      port: await freePort(),
      apiUrl: `http://127.0.0.1:${await freePort()}/graphql`,
      log,
    });
    stops.push(web.stop);
    const html = await (await fetch(web.url)).text();
    expect(html).toMatch(
      /role="alert"[^>]*>cannot reach the KDLens API at http:\/\/127\.0\.0\.1:\d+\/graphql/,
    );
  });
});

import { startApiServer } from '@kdlens/api';
import { createLogger } from '@kdlens/core';
import { findExperimentByName, listRunsOfExperiments } from '@kdlens/core/db';
import { createProgressReporter, runDemo, startWeb } from '@kdlens/trainer';
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
  it('trains the demo study into the warehouse, and only once', async () => {
    const progress = createProgressReporter({ enabled: false, log });
    const first = await runDemo({ db: t.warehouse.db, log, backend: 'wasm', progress });
    expect(first.trained).toBe(3);
    const experiment = await findExperimentByName(t.warehouse.db, 'demo');
    expect(experiment?.status).toBe('succeeded');
    const rows = await listRunsOfExperiments(t.warehouse.db, [first.experimentId]);
    expect(rows.map((r) => [r.role, r.temperature, r.status, r.backend])).toEqual([
      ['teacher', null, 'succeeded', 'wasm'],
      ['student', null, 'succeeded', 'wasm'],
      ['distilled', 4, 'succeeded', 'wasm'],
    ]);
    for (const run of rows) {
      const s = run.summary;
      if (!s) throw new Error(`run ${run.role} has no summary`);
      expect(s.classNames).toHaveLength(4);
      expect(s.testExamples).toBe(200);
      // Learned something: chance is 25% on four balanced shapes.
      expect(s.accuracy).toBeGreaterThan(0.4);
      // Overall accuracy is the class accuracies weighted by class size; with every class
      // present their mean lies between their min and max.
      const perClass = s.classAccuracy.filter((v): v is number => v !== null);
      expect(perClass).toHaveLength(4);
      expect(s.accuracy).toBeGreaterThanOrEqual(Math.min(...perClass) - 1e-12);
      expect(s.accuracy).toBeLessThanOrEqual(Math.max(...perClass) + 1e-12);
    }
    const again = await runDemo({ db: t.warehouse.db, log, backend: 'wasm', progress });
    expect(again).toEqual({ experimentId: first.experimentId, trained: 0 });
  });

  let apiUrl = '';
  let webUrl = '';
  it('serves the runs over GraphQL', async () => {
    const api = await startApiServer({ db: t.warehouse.db, log, host: '127.0.0.1', port: 0 });
    stops.push(api.stop);
    apiUrl = api.url;
    const data = await graphql<{
      experiments: {
        name: string;
        status: string;
        runs: {
          role: string;
          temperature: number | null;
          seed: number;
          status: string;
          accuracy: number;
        }[];
      }[];
    }>(apiUrl, '{ experiments { name status runs { role temperature seed status accuracy } } }');
    expect(data.experiments).toHaveLength(1);
    const [demo] = data.experiments;
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
    expect(html).toContain('student (no KD)');
    // The per-class table: one row per class, one cell per run, in the stored order.
    const names = stored[0]?.summary?.classNames ?? [];
    expect(names).toEqual(['circle', 'square', 'triangle', 'cross']);
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
      expect(await rows.nth(1).locator('td').first().textContent()).toBe('student (no KD)');
      const table = page.getByTestId('class-accuracy');
      expect(await table.locator('tbody tr').count()).toBe(4);
      expect(await table.locator('thead th').allTextContents()).toEqual([
        'class',
        'teacher',
        'student (no KD)',
        'distilled T=4',
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

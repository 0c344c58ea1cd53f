/**
 * Launch from the web form to a finished study: the real API (`kdlens api`, with the queue and
 * launcher) and a real worker (`kdlens worker`) as a user runs them, the built web app, and a
 * headless Chromium driving the form as an operator. A viewer sees no form, and the API refuses
 * a viewer's launch even when the form is bypassed.
 */
import type { ChildProcess } from 'node:child_process';
import { startWeb } from '@kdlens/cli';
import { createLogger, type ExperimentSpec, loadPreset } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { recordStudy } from '@kdlens/core/study';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, haveChromium, launchChromium } from '../support/browser.ts';
import { startCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('warn', 'web-launch');
const runBrowser = haveChromium || Boolean(process.env.CI);

let t: TestDatabase;
let apiUrl = '';
let webUrl = '';
let operatorToken = '';
let viewerToken = '';
let baseId = '';
type Child = { child: ChildProcess; exited: Promise<number | null> };
const children: Child[] = [];
let worker: Child | undefined;
const stops: (() => Promise<void>)[] = [];

/** The demo preset cut down to seconds: 1 seed, 1 epoch, a few hundred generated images. */
async function tinySpec(name: string): Promise<ExperimentSpec> {
  const demo = await loadPreset('demo');
  const generator = demo.dataset.generator;
  if (!generator) throw new Error('the demo preset has no generator');
  return {
    ...demo,
    name,
    dataset: { ...demo.dataset, generator: { ...generator, trainCount: 256, testCount: 96 } },
    teacher: { ...demo.teacher, epochs: 1 },
    student: { ...demo.student, epochs: 1 },
    kd: { ...demo.kd, temperatures: [4] },
    seeds: [0],
    evaluation: {
      ...demo.evaluation,
      individualFairness: { ...demo.evaluation.individualFairness, pairs: 200 },
    },
  };
}

beforeAll(async () => {
  t = await createTestDatabase('weblaunch');
  // A recorded (not queued) spec the form can start from, whatever presets the API serves.
  baseId = (await recordStudy(t.warehouse.db, await tinySpec('tiny-base'))).id;
  operatorToken = (await createApiToken(t.warehouse.db, { name: 'op', role: 'operator' })).token;
  viewerToken = (await createApiToken(t.warehouse.db, { name: 'view', role: 'viewer' })).token;
  const env = { DATABASE_URL: t.url, KDLENS_BACKEND: 'wasm' };
  const api = await startCli(
    ['api'],
    { ...env, KDLENS_API_PORT: String(await freePort()) },
    /GraphQL API at (\S+)/,
  );
  children.push(api);
  apiUrl = /GraphQL API at (\S+)/.exec(api.output())?.[1] ?? '';
  worker = await startCli(['worker'], env, /waiting for units/);
  children.push(worker);
  const web = await startWeb({ port: await freePort(), apiUrl, log });
  stops.push(web.stop);
  webUrl = web.url;
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  for (const { child, exited } of children.reverse()) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  }
  await t?.drop();
});

async function chartsDrawn(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator('figure.chart[data-drawn="false"]').count(), { timeout: 15_000 })
    .toBe(0);
}

describe.runIf(runBrowser)('launch from the web form', () => {
  it('refuses a viewer: no form, and the API says FORBIDDEN', async () => {
    const response = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewerToken}` },
      body: JSON.stringify({
        query:
          'mutation($spec: JSON!) { launchExperiment(input: { spec: $spec }) { experiment { id } } }',
        variables: { spec: await tinySpec('viewer-try') },
      }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${webUrl}/sign-in`);
      await page.getByLabel('API token').fill(viewerToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${webUrl}/experiments`);
      await page.goto(`${webUrl}/launch`);
      expect(await page.getByTestId('launch-forbidden').count()).toBe(1);
      expect(await page.getByTestId('launch-submit').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  it('launches a tiny study from the form and follows it to completion', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${webUrl}/sign-in?next=/launch`);
      await page.getByLabel('API token').fill(operatorToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${webUrl}/launch`);
      await page.getByLabel('Start from').selectOption(`experiment:${baseId}`);
      // A wrong field stops the form in the browser…
      await page.getByLabel('Seeds').fill('0');
      await page.getByTestId('launch-submit').click();
      await expect
        .poll(() => page.getByTestId('error-seeds').textContent())
        .toMatch(/seeds must be >= 1/);
      expect(page.url()).toBe(`${webUrl}/launch`);
      // …and a right one goes.
      await page.getByLabel('Experiment name').fill('tiny-launched');
      await page.getByLabel('Temperatures').fill('2');
      await page.getByLabel('Seeds').fill('1');
      await page.getByLabel('Teacher epochs').fill('1');
      await page.getByLabel('Student epochs').fill('1');
      await page.screenshot({ path: `${artifactsDir}web-launch-form.png`, fullPage: true });
      await page.getByTestId('launch-submit').click();
      await page.waitForURL(/\/experiments\/[0-9a-f-]+\/runs$/, { timeout: 30_000 });
      expect(await page.getByTestId('experiment-name').textContent()).toBe('tiny-launched');

      // The page refreshes itself every 2 s; watch the runs until all three succeed.
      const seen = new Set<string>();
      let liveShot = false;
      const deadline = Date.now() + 300_000;
      let statuses: string[] = [];
      while (Date.now() < deadline) {
        // One read of the DOM: each row's status and whether it offers Cancel.
        const rows = await page.locator('[data-testid="run-row"]').evaluateAll((trs) =>
          trs.map((tr) => {
            const row = tr as {
              dataset: Record<string, string>;
              querySelector(s: string): unknown;
            };
            return {
              status: row.dataset.status ?? '',
              cancel: row.querySelector('[data-testid="cancel-run"]') !== null,
            };
          }),
        );
        statuses = rows.map((r) => r.status);
        // An operator may cancel exactly the runs that are still queued or running.
        expect(rows.map((r) => r.cancel)).toEqual(
          rows.map((r) => r.status === 'queued' || r.status === 'running'),
        );
        for (const s of statuses) seen.add(s);
        if (statuses.length === 3 && statuses.every((s) => s === 'succeeded')) break;
        if (statuses.some((s) => s === 'failed')) break;
        if (seen.has('running') && !liveShot) {
          liveShot = true;
          await page.screenshot({ path: `${artifactsDir}web-launch-live.png`, fullPage: true });
        }
        await page.waitForTimeout(500);
      }
      expect(statuses).toEqual(['succeeded', 'succeeded', 'succeeded']);
      // Progress appeared before the end: the live page showed queued or running runs.
      expect([...seen].some((s) => s === 'queued' || s === 'running')).toBe(true);
      expect(await page.getByTestId('runs-summary').textContent()).toBe('3 of 3 runs finished');
      await page.screenshot({ path: `${artifactsDir}web-launch-done.png`, fullPage: true });
      // Each run has its learning curves: one point per finished epoch.
      await page.getByRole('link', { name: 'Teacher · seed 0' }).click();
      await expect
        .poll(() => page.locator('[data-testid="history-table"] tbody tr').count(), {
          timeout: 20_000,
        })
        .toBe(1);
      await chartsDrawn(page);
      expect(await page.locator('[data-testid="curve-loss"] svg').count()).toBeGreaterThan(0);
      await page.screenshot({ path: `${artifactsDir}web-launch-run.png`, fullPage: true });
      await page.goto(page.url().replace(/\/runs\/[^/]+$/, '/runs'));
      // The finished study has an overview with its arms.
      await page.getByRole('link', { name: 'Overview' }).click();
      await expect
        .poll(() => page.locator('[data-testid="accuracy-row"] th').allTextContents(), {
          timeout: 20_000,
        })
        .toEqual(['Teacher', 'NDS', 'KD T=2']);
      // A trained study has inputs to measure distances in: Table 4 is there, one row per arm.
      await expect
        .poll(() => page.locator('[data-testid="individual-fairness-table"] tbody tr').count())
        .toBe(3);
      await chartsDrawn(page);
      await page.screenshot({ path: `${artifactsDir}web-launch-overview.png`, fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('lets an operator cancel a queued run from the runs page', async () => {
    // With no worker, nothing can start: the run is certainly still queued when Cancel is
    // clicked (a tiny study otherwise finishes within the seconds the page takes to load).
    if (worker) {
      worker.child.kill('SIGINT');
      await worker.exited;
    }
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${webUrl}/sign-in?next=/launch`);
      await page.getByLabel('API token').fill(operatorToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${webUrl}/launch`);
      await page.getByLabel('Start from').selectOption(`experiment:${baseId}`);
      await page.getByLabel('Experiment name').fill('tiny-cancelled');
      await page.getByLabel('Temperatures').fill('8');
      await page.getByTestId('launch-submit').click();
      await page.waitForURL(/\/experiments\/[0-9a-f-]+\/runs$/, { timeout: 30_000 });
      const kdRow = page.locator('[data-testid="run-row"]', { hasText: 'KD T=8 · seed 0' });
      await kdRow.getByTestId('cancel-run').click();
      await expect
        .poll(() => kdRow.getAttribute('data-status'), { timeout: 30_000 })
        .toBe('cancelled');
      expect(await kdRow.getByTestId('cancel-run').count()).toBe(0);
      await page.screenshot({ path: `${artifactsDir}web-run-cancelled.png`, fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

/**
 * The experiments list's metric columns, tags and notes in headless Chromium (issue 17): a real
 * API over a warehouse holding the hand-computed studies of support/flip-study.ts, the built web
 * app, an operator who sorts, tags, annotates and filters, and a viewer who only reads.
 */
import { startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { createApiToken, recordExperiment } from '@kdlens/core/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, haveChromium, launchChromium } from '../support/browser.ts';
import { flipStudies } from '../support/flip-study.ts';
import { freePort } from '../support/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('warn', 'web-experiment-list');
const runBrowser = haveChromium || Boolean(process.env.CI);

let t: TestDatabase;
let webUrl = '';
let browser: Browser | undefined;
const ids: Record<string, string> = {};
const tokens = { viewer: '', operator: '' };
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase('weblist');
  const db = t.warehouse.db;
  for (const name of ['alpha', 'beta', 'delta'] as const) {
    ids[name] = (
      await writeImportedStudy(
        db,
        { experiment: name, dataset: 'tiny', files: [] },
        flipStudies[name],
      )
    ).experimentId;
  }
  ids.gamma = (
    await recordExperiment(db, {
      name: 'gamma',
      dataset: 'tiny',
      spec: {},
      runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'mlp' }],
    })
  ).experiment.id;
  tokens.viewer = (await createApiToken(db, { name: 'list viewer', role: 'viewer' })).token;
  tokens.operator = (await createApiToken(db, { name: 'list operator', role: 'operator' })).token;
  const api = await startApiServer({ db, log, host: '127.0.0.1', port: 0 });
  stops.push(api.stop);
  const web = await startWeb({ port: await freePort(), apiUrl: api.url, log });
  stops.push(web.stop);
  webUrl = web.url;
  if (runBrowser) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const stop of stops.reverse()) await stop();
  await t?.drop();
});

async function signedIn(token: string): Promise<Page> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${webUrl}/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${webUrl}/experiments`);
  await page.getByTestId('experiments-table').waitFor();
  return page;
}

/** Each row's name and the text of one metric cell, top to bottom. */
async function column(page: Page, cell: string): Promise<string[][]> {
  const names = await page.locator('[data-testid="experiment-row"] th > a').allTextContents();
  const values = await page.getByTestId(cell).allTextContents();
  return names.map((n, i) => [n, (values[i] ?? '').trim()]);
}

describe.runIf(runBrowser)('experiments list in headless Chromium', () => {
  let operator: Page;

  it('sorts by a metric column when its header is clicked, and back the other way', async () => {
    operator = await signedIn(tokens.operator);
    // Newest first by default.
    expect(
      await operator.locator('[data-testid="experiment-row"] th > a').allTextContents(),
    ).toEqual(['gamma', 'delta', 'beta', 'alpha']);

    await operator.getByTestId('experiments-sort-teacher').click();
    await operator.waitForURL(/sort=teacher&order=desc/);
    // Teacher accuracy by hand: alpha 10/10, beta 7/10, delta 6/10, gamma none (last).
    await expect
      .poll(() => column(operator, 'cell-teacher'))
      .toEqual([
        ['alpha', '100.00%'],
        ['beta', '70.00%'],
        ['delta', '60.00%'],
        ['gamma', '–'],
      ]);
    const header = operator.locator('th', {
      has: operator.getByTestId('experiments-sort-teacher'),
    });
    expect(await header.getAttribute('aria-sort')).toBe('descending');

    await operator.getByTestId('experiments-sort-teacher').click();
    await operator.waitForURL(/sort=teacher&order=asc/);
    await expect
      .poll(() => column(operator, 'cell-teacher'))
      .toEqual([
        ['delta', '60.00%'],
        ['beta', '70.00%'],
        ['alpha', '100.00%'],
        ['gamma', '–'],
      ]);
    expect(await header.getAttribute('aria-sort')).toBe('ascending');

    // Max DPD by hand: beta 0.4 (its teacher), alpha 0.2; delta has no attribute. Best KD: beta
    // 10/10 at T=1, alpha 9/10 at T=4.
    await operator.getByTestId('experiments-sort-dpd').click();
    await operator.waitForURL(/sort=dpd&order=desc/);
    await expect
      .poll(() => column(operator, 'cell-dpd'))
      .toEqual([
        ['beta', '0.400 (g)'],
        ['alpha', '0.200 (g)'],
        ['gamma', '–'],
        ['delta', '–'],
      ]);
    expect((await column(operator, 'cell-kd')).slice(0, 2)).toEqual([
      ['beta', '100.00% (T=1)'],
      ['alpha', '90.00% (T=4)'],
    ]);
    await operator.screenshot({
      path: `${artifactsDir}web-experiments-sorted.png`,
      fullPage: true,
    });
  });

  it('lets an operator tag and annotate an experiment from its header', async () => {
    await operator.goto(`${webUrl}/experiments/${ids.alpha}`);
    await operator.getByTestId('experiment-name').waitFor();
    expect(await operator.getByTestId('experiment-note').count()).toBe(0);
    await operator.getByTestId('edit-annotations').click();
    // A bad tag is refused beside its field, and nothing is saved.
    await operator.getByTestId('annotation-tags').fill('cifar, Not-Lower');
    await operator.getByTestId('save-annotations').click();
    await expect
      .poll(() => operator.locator('#annotation-tags-error').textContent())
      .toMatch(/^"Not-Lower": lowercase letters/);

    await operator.getByTestId('annotation-tags').fill('cifar, resnet');
    await operator.getByTestId('annotation-note').fill('first try\nwith cutout');
    await operator.getByTestId('save-annotations').click();
    await expect
      .poll(() => operator.getByTestId('experiment-note').textContent())
      .toBe('first try\nwith cutout');
    expect(await operator.getByTestId('tag-chip').allTextContents()).toEqual(['cifar', 'resnet']);
    // The list shows the chips too.
    await operator.goto(`${webUrl}/experiments`);
    await operator.getByTestId('experiments-table').waitFor();
    const alphaRow = operator.getByTestId('experiment-row').filter({ hasText: 'alpha' });
    expect(await alphaRow.getByTestId('tag-chip').allTextContents()).toEqual(['cifar', 'resnet']);
  });

  it('filters by tag from the form and from a chip, keeping the tag in the URL', async () => {
    await operator.getByTestId('tag-filter').fill('resnet');
    await operator.getByRole('button', { name: 'Apply' }).click();
    await operator.waitForURL(/tag=resnet/);
    await expect
      .poll(() => operator.locator('[data-testid="experiment-row"] th > a').allTextContents())
      .toEqual(['alpha']);
    expect(await operator.getByTestId('experiment-count').textContent()).toBe(
      '1 experiment tagged resnet',
    );
    // A chip is a link to its tag's list.
    await operator.getByTestId('tag-chip').filter({ hasText: 'cifar' }).click();
    await operator.waitForURL(/\/experiments\?tag=cifar$/);
    await expect.poll(() => operator.getByTestId('active-tag').textContent()).toBe('cifar');
    // Not a tag: said so, and the list is not filtered by it.
    await operator.goto(`${webUrl}/experiments?tag=CIFAR`);
    await operator.getByTestId('experiments-table').waitFor();
    expect(await operator.getByTestId('experiment-row').count()).toBe(4);
    expect(await operator.getByRole('alert').first().textContent()).toMatch(/is not a tag/);
  });

  it('shows a viewer the tags and note without an editor', async () => {
    const viewer = await signedIn(tokens.viewer);
    await viewer.goto(`${webUrl}/experiments/${ids.alpha}`);
    await viewer.getByTestId('experiment-name').waitFor();
    expect(await viewer.getByTestId('experiment-note').textContent()).toBe(
      'first try\nwith cutout',
    );
    expect(await viewer.getByTestId('tag-chip').allTextContents()).toEqual(['cifar', 'resnet']);
    expect(await viewer.getByTestId('edit-annotations').count()).toBe(0);
    await viewer.context().close();
  });
});

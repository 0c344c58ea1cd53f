/**
 * The web's Download menu and Import page end to end: a real API with control (so imports
 * write), the built web app and a headless Chromium. A download through the menu must be the
 * API's /export answer byte for byte; an import through the page must land in the warehouse, or
 * not at all when a row is wrong.
 */
import { readFile } from 'node:fs/promises';
import { createApiControl, startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { countRows, createApiToken, findExperimentByName } from '@kdlens/core/db';
import { exportFormats, exportTables } from '@kdlens/core/export';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, haveChromium, launchChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('warn', 'web-export-import');
const runBrowser = haveChromium || Boolean(process.env.CI);

let t: TestDatabase;
let apiBase = '';
let webUrl = '';
let viewerToken = '';
let operatorToken = '';
let experimentId = '';
const stops: (() => Promise<void>)[] = [];
let browser: Browser | undefined;

beforeAll(async () => {
  t = await createTestDatabase('webexport');
  const outcome = await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'download-study', dataset: 'shapes-import', files: [] },
    seededStudy({
      classNames: ['circle', 'square', 'triangle'],
      examplesPerClass: 12,
      seeds: [0, 1],
      sensitive: { color: ['red', 'blue'] },
      arms: [
        {
          role: 'teacher',
          temperature: null,
          architecture: 'r56',
          errorByClass: [0.1],
          groupPenalty: 0,
        },
        {
          role: 'student',
          temperature: null,
          architecture: 'r20',
          errorByClass: [0.4, 0.2],
          groupPenalty: 0.1,
        },
        {
          role: 'distilled',
          temperature: 4,
          architecture: 'r20',
          errorByClass: [0.2],
          groupPenalty: 0,
        },
      ],
    }),
  );
  experimentId = outcome.experimentId;
  viewerToken = (await createApiToken(t.warehouse.db, { name: 'dl viewer', role: 'viewer' })).token;
  operatorToken = (await createApiToken(t.warehouse.db, { name: 'dl operator', role: 'operator' }))
    .token;
  const control = createApiControl({
    warehouse: t.warehouse,
    log,
    timings: { heartbeatSeconds: 5, staleAfterSeconds: 60, maxAttempts: 3 },
    config: { workDir: process.cwd(), dataRoots: [] },
  });
  const api = await startApiServer({
    db: t.warehouse.db,
    log,
    host: '127.0.0.1',
    port: 0,
    control,
  });
  stops.push(api.stop);
  apiBase = new URL(api.url).origin;
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

async function signedIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  await page.goto(`${webUrl}/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${webUrl}/experiments`);
  await page.getByTestId('experiments-table').waitFor();
  return { context, page };
}

/** The API's own answer for an export, with a bearer token: what the menu must hand over. */
async function apiExport(file: string): Promise<{ bytes: Buffer; disposition: string | null }> {
  const response = await fetch(`${apiBase}/export/${experimentId}/${file}`, {
    headers: { authorization: `Bearer ${viewerToken}` },
  });
  expect(response.status).toBe(200);
  return {
    bytes: Buffer.from(await response.arrayBuffer()),
    disposition: response.headers.get('content-disposition'),
  };
}

/** Opens the Download menu from the keyboard and downloads one of its links. */
async function downloadFromMenu(
  page: Page,
  file: string,
): Promise<{ bytes: Buffer; name: string }> {
  const menu = page.getByTestId('download-menu');
  // Opened from the keyboard. Pressed again only while it is still closed: a key pressed before
  // React has hydrated the page can land on server HTML that hydration then replaces.
  await expect
    .poll(async () => {
      const open = await menu.evaluate((d) => (d as unknown as { open: boolean }).open);
      if (!open) {
        await menu.locator('summary').focus();
        await page.keyboard.press('Enter');
      }
      return open;
    })
    .toBe(true);
  const link = page.getByTestId(`download-${file}`);
  await link.waitFor({ state: 'visible' });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  return { bytes: await readFile(path), name: download.suggestedFilename() };
}

/** Two prediction files of one seed (teacher and student), in `kdlens import`'s CSV form. */
function predictionCsv(role: string, preds: number[]): string {
  return [
    `# role: ${role}`,
    '# seed: 0',
    '# classes: cat, dog, bird',
    'id,label,pred',
    ...preds.map((p, i) => `e${i},${i % 3},${p}`),
    '',
  ].join('\n');
}
const teacherCsv = predictionCsv('teacher', [0, 1, 2, 0, 1, 2]);
const studentCsv = predictionCsv('student', [0, 1, 1, 0, 2, 2]);

async function chooseFiles(page: Page, files: { name: string; content: string }[]): Promise<void> {
  await page
    .getByLabel('Prediction files', { exact: true })
    .setInputFiles(
      files.map((f) => ({ name: f.name, mimeType: 'text/csv', buffer: Buffer.from(f.content) })),
    );
  await expect.poll(() => page.getByTestId('import-file').count()).toBe(files.length);
}

describe.runIf(runBrowser)('downloads and imports in the web app', () => {
  it('offers every export table in every format, and no Import to a viewer', async () => {
    const { context, page } = await signedIn(viewerToken);
    try {
      for (const path of ['', '/classes', '/groups', '/runs']) {
        await page.goto(`${webUrl}/experiments/${experimentId}${path}`);
        const links = await page
          .getByTestId('download-menu')
          .locator('a')
          .evaluateAll((as) =>
            as.map((a) => (a as unknown as { dataset: { testid: string } }).dataset.testid),
          );
        // The web's allowlist (lib/export-files.ts) must name exactly what the API exports.
        expect(links).toEqual(
          exportTables.flatMap((table) =>
            exportFormats.map((format) => `download-${table}.${format}`),
          ),
        );
      }
      expect(await page.getByRole('navigation', { name: 'Main' }).getByText('Import').count()).toBe(
        0,
      );
      await page.goto(`${webUrl}/import`);
      expect(await page.getByTestId('import-forbidden').count()).toBe(1);
      expect(await page.getByTestId('import-submit').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('downloads class-comparison.csv from the menu: the same bytes as the API gives', async () => {
    const { context, page } = await signedIn(viewerToken);
    try {
      await page.goto(`${webUrl}/experiments/${experimentId}/classes`);
      const got = await downloadFromMenu(page, 'class-comparison.csv');
      await page.screenshot({ path: `${artifactsDir}web-download-menu.png` });
      const api = await apiExport('class-comparison.csv');
      expect(api.bytes.length).toBeGreaterThan(100);
      expect(got.bytes.equals(api.bytes)).toBe(true);
      // The file is named as the API's Content-Disposition names it.
      expect(got.name).toBe('download-study-class-comparison.csv');
      expect(api.disposition).toContain('filename="download-study-class-comparison.csv"');
    } finally {
      await context.close();
    }
  });

  it('downloads predictions as Parquet: a Parquet file, equal to the API answer', async () => {
    const { context, page } = await signedIn(viewerToken);
    try {
      await page.goto(`${webUrl}/experiments/${experimentId}`);
      const got = await downloadFromMenu(page, 'predictions.parquet');
      expect(got.bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
      expect(got.bytes.subarray(-4).toString('latin1')).toBe('PAR1');
      expect(got.name).toBe('download-study-predictions.parquet');
      expect(got.bytes.equals((await apiExport('predictions.parquet')).bytes)).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('fits the open menu on a phone screen', async () => {
    const { context, page } = await signedIn(viewerToken);
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${webUrl}/experiments/${experimentId}/groups`);
      await page.getByTestId('download-menu').locator('summary').click();
      await page.getByTestId('download-runs.jsonl').waitFor({ state: 'visible' });
      // Every tab stays readable beside (or above) the menu, and nothing is wider than the screen.
      for (const tab of ['Overview', 'Classes', 'Groups', 'Runs']) {
        const box = await page.getByRole('link', { name: tab, exact: true }).boundingBox();
        expect(box && box.x + box.width).toBeLessThanOrEqual(390);
      }
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${artifactsDir}web-download-menu-phone.png` });
    } finally {
      await context.close();
    }
  });

  it('answers a refused download with a message in words, not a file', async () => {
    // Signed out, and this API does not allow anonymous reading.
    const anonymous = await fetch(`${webUrl}/experiments/${experimentId}/export/runs.csv`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await anonymous.text()).toMatch(
      /^Download failed: reading exports needs an API token.*Sign in/,
    );
    // In a browser the refusal is a page to read, not a file saved under the table's name.
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage();
    const shown = await page.goto(`${webUrl}/experiments/${experimentId}/export/runs.csv`);
    expect(shown?.status()).toBe(401);
    expect(await page.locator('body').textContent()).toMatch(/^Download failed: reading exports/);
    await page.close();
    // Only the menu's tables and formats are forwarded.
    const other = await fetch(`${webUrl}/experiments/${experimentId}/export/secrets.txt`, {
      headers: { cookie: `kdlens_token=${viewerToken}` },
    });
    expect(other.status).toBe(404);
    expect(await other.text()).toMatch(/No such download: "secrets.txt"/);
    const unknown = await fetch(
      `${webUrl}/experiments/00000000-0000-4000-8000-000000000000/export/runs.csv`,
      { headers: { cookie: `kdlens_token=${viewerToken}` } },
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/^Download failed: /);
    // With the cookie, the same answer as the API's, headers included.
    const ok = await fetch(`${webUrl}/experiments/${experimentId}/export/runs.jsonl`, {
      headers: { cookie: `kdlens_token=${viewerToken}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toContain('download-study-runs.jsonl');
    expect(Buffer.from(await ok.arrayBuffer()).equals((await apiExport('runs.jsonl')).bytes)).toBe(
      true,
    );
  });

  it('imports two prediction files (one chosen, one dropped); the experiment appears with its runs', async () => {
    const { context, page } = await signedIn(operatorToken);
    try {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Import' })
        .click();
      await page.waitForURL(`${webUrl}/import`);
      await page.getByLabel('Experiment name').fill('web-imported');
      // One file chosen, one dropped: both end up in the list.
      await chooseFiles(page, [{ name: 'teacher.csv', content: teacherCsv }]);
      const dropped = await page.evaluateHandle(
        `(() => { const d = new DataTransfer(); d.items.add(new File([${JSON.stringify(studentCsv)}], 'student.csv', { type: 'text/csv' })); return d; })()`,
      );
      await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
      await expect
        .poll(() =>
          page
            .getByTestId('import-file')
            .evaluateAll((rows) =>
              rows.map((r) => (r as unknown as { dataset: { file: string } }).dataset.file),
            ),
        )
        .toEqual(['teacher.csv', 'student.csv']);
      await page.getByTestId('import-submit').click();
      const done = page.getByTestId('import-done');
      await expect
        .poll(() => done.textContent(), { timeout: 20_000 })
        .toMatch(/^Imported 2 runs into web-imported\.$/);
      const stored = await findExperimentByName(t.warehouse.db, 'web-imported');
      expect(stored?.status).toBe('succeeded');
      await done.getByRole('link', { name: 'web-imported' }).click();
      await page.waitForURL(`${webUrl}/experiments/${stored?.id}/runs`);
      expect(await page.getByTestId('experiment-name').textContent()).toBe('web-imported');
      const rows = await page
        .locator('[data-testid="run-row"]')
        .evaluateAll((trs) =>
          trs.map((tr) => (tr as unknown as { dataset: { status: string } }).dataset.status),
        );
      expect(rows).toEqual(['succeeded', 'succeeded']);
    } finally {
      await context.close();
    }
  });

  it('shows a bad row as file:line:column beside its file and writes nothing', async () => {
    const { context, page } = await signedIn(operatorToken);
    try {
      await page.goto(`${webUrl}/import`);
      await page.getByLabel('Experiment name').fill('web-import-refused');
      // Line 8: three header lines, the column row, then e0..e3; `label` starts at column 4.
      const bad = studentCsv.replace('\ne3,0,', '\ne3,zero,');
      await chooseFiles(page, [
        { name: 'teacher.csv', content: teacherCsv },
        { name: 'bad.csv', content: bad },
      ]);
      const before = await countRows(t.warehouse.db);
      await page.getByTestId('import-submit').click();
      const problems = page.locator('[data-file="bad.csv"] [data-testid="file-problems"] li');
      await expect
        .poll(() => problems.allTextContents(), { timeout: 20_000 })
        .toEqual(["bad.csv:8:4: label 'zero' is not a class index (0, 1, 2, …)"]);
      expect(
        await page.locator('[data-file="teacher.csv"] [data-testid="file-problems"]').count(),
      ).toBe(0);
      expect(await page.getByTestId('import-error').textContent()).toMatch(/nothing was written/);
      await page.screenshot({ path: `${artifactsDir}web-import-problems.png`, fullPage: true });
      expect(await countRows(t.warehouse.db)).toEqual(before);
      expect(await findExperimentByName(t.warehouse.db, 'web-import-refused')).toBeUndefined();
    } finally {
      await context.close();
    }
  });

  it('sends up to the API body limit, and names the limit and the CLI beyond it', async () => {
    const { context, page } = await signedIn(operatorToken);
    try {
      await page.goto(`${webUrl}/import`);
      await page.getByLabel('Experiment name').fill('web-import-large');
      // A request just under the API's 1 MiB once JSON-encoded (each line break is two
      // characters there): the page and its server action carry it whole.
      const rows = Array.from({ length: 87_000 }, (_, i) => `e${i},${i % 3},${i % 3}`);
      const large = ['# role: teacher', '# seed: 0', 'id,label,pred', ...rows, ''].join('\n');
      expect(JSON.stringify(large).length).toBeGreaterThan(1_030_000);
      await chooseFiles(page, [{ name: 'large-teacher.csv', content: large }]);
      await page.getByTestId('import-submit').click();
      await expect
        .poll(() => page.getByTestId('import-done').textContent(), { timeout: 30_000 })
        .toMatch(/^Imported 1 run into web-import-large\.$/);
      // A second file takes the request over 1 MiB: refused before anything is sent.
      await chooseFiles(page, [
        { name: 'large-teacher.csv', content: large },
        { name: 'large-student.csv', content: large.replace('teacher', 'student') },
      ]);
      expect(await page.getByTestId('import-too-large').textContent()).toMatch(
        /the API accepts at most 1,048,576 bytes \(1 MiB\) per request\. Import larger studies with the CLI: npx kdlens import/,
      );
      expect(await page.getByTestId('import-submit').isDisabled()).toBe(true);
    } finally {
      await context.close();
    }
  });
});

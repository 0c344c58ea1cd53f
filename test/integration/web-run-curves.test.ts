/**
 * The Runs tab's learning-curve comparison and the dark theme, in headless Chromium against a
 * real API and the built web app. The curves' points are the epoch rows written here with
 * recordEpoch; the chart's SVG paths must be those points under one linear x and one linear y
 * scale. The dark theme is the system setting (colorScheme: 'dark'); its contrast is computed
 * here with WCAG 2's formula.
 */
import { readFile } from 'node:fs/promises';
import { startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import {
  createApiToken,
  type EpochEntry,
  listRunsOfExperiments,
  recordEpoch,
} from '@kdlens/core/db';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, haveChromium, launchChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { type StudyPlan, seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('warn', 'web-run-curves');
const runBrowser = haveChromium || Boolean(process.env.CI);

const plan: StudyPlan = {
  classNames: ['circle', 'square', 'triangle'],
  examplesPerClass: 12,
  seeds: [0, 1],
  sensitive: { color: ['red', 'blue'] },
  arms: [
    {
      role: 'teacher',
      temperature: null,
      architecture: 'resnet56',
      errorByClass: [0.1, 0.1, 0.2],
      groupPenalty: 0,
    },
    {
      role: 'student',
      temperature: null,
      architecture: 'resnet20',
      errorByClass: [0.5, 0.2, 0.3],
      groupPenalty: 0.2,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'resnet20',
      errorByClass: [0.3, 0.2, 0.2],
      groupPenalty: 0.05,
    },
  ],
};

// Five epochs for the teacher at seed 0, four for KD T=4 at seed 1 (test accuracy on even
// epochs only): different lengths and values, so a swapped or truncated line shows.
const teacherEpochs: EpochEntry[] = [1, 2, 3, 4, 5].map((e) => ({
  epoch: e,
  loss: 2.2 / e,
  trainAccuracy: 0.4 + 0.1 * e,
  evalAccuracy: 0.35 + 0.1 * e,
  imagesPerSec: 800,
  seconds: 4,
}));
const distilledEpochs: EpochEntry[] = [1, 2, 3, 4].map((e) => ({
  epoch: e,
  loss: 3 - 0.5 * e,
  trainAccuracy: 0.3 + 0.12 * e,
  evalAccuracy: e % 2 === 0 ? 0.3 + 0.1 * e : null,
  imagesPerSec: 1200,
  seconds: 3,
}));

let t: TestDatabase;
let webUrl = '';
let token = '';
let experimentId = '';
let teacherId = '';
let distilledId = '';
const stops: (() => Promise<void>)[] = [];
let browser: Browser | undefined;

beforeAll(async () => {
  t = await createTestDatabase('web_curves');
  const outcome = await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'curves-study', dataset: 'shapes-import', files: [] },
    seededStudy(plan),
  );
  experimentId = outcome.experimentId;
  const runs = await listRunsOfExperiments(t.warehouse.db, [experimentId]);
  teacherId = runs.find((r) => r.role === 'teacher' && r.seed === 0)?.id ?? '';
  distilledId = runs.find((r) => r.role === 'distilled' && r.seed === 1)?.id ?? '';
  for (const e of teacherEpochs) await recordEpoch(t.warehouse.db, teacherId, e);
  for (const e of distilledEpochs) await recordEpoch(t.warehouse.db, distilledId, e);
  token = (await createApiToken(t.warehouse.db, { name: 'curves viewer', role: 'viewer' })).token;
  const api = await startApiServer({ db: t.warehouse.db, log, host: '127.0.0.1', port: 0 });
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

async function signedIn(colorScheme: 'light' | 'dark'): Promise<{
  context: BrowserContext;
  page: Page;
}> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme,
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

async function chartsDrawn(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator('figure.chart[data-drawn="false"]').count(), { timeout: 15_000 })
    .toBe(0);
}

/** The vertices of a path drawn with straight segments ("M x,y L x,y …", as Plot's lines). */
function vertices(d: string): [number, number][] {
  const numbers = (d.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g) ?? []).map(Number);
  expect(d).toMatch(/^M[^A-KN-Z]*$/i); // only M and L commands: a linear curve
  const points: [number, number][] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) {
    points.push([numbers[i] as number, numbers[i + 1] as number]);
  }
  return points;
}

/** The path of one run's line in one chart. */
async function runPath(page: Page, chart: string, runId: string): Promise<[number, number][]> {
  const d = await page
    .getByTestId(chart)
    .locator(`g[data-run-id="${runId}"] path`)
    .getAttribute('d');
  return vertices(d ?? '');
}

/**
 * Checks that two lines are the given (epoch, value) points under one linear x scale and one
 * linear y scale: the scales are solved from two points, and every other point must fall where
 * they put it. Epochs grow to the right, values upwards.
 */
function expectSameLinearScales(
  lines: { drawn: [number, number][]; points: [number, number][] }[],
): void {
  const all = lines.flatMap((l) => {
    expect(l.drawn).toHaveLength(l.points.length);
    return l.points.map((p, i) => ({ data: p, px: l.drawn[i] as [number, number] }));
  });
  const byX = [...all].sort((a, b) => a.data[0] - b.data[0]);
  const byY = [...all].sort((a, b) => a.data[1] - b.data[1]);
  const [x0, x1] = [byX[0], byX.at(-1)];
  const [y0, y1] = [byY[0], byY.at(-1)];
  if (!x0 || !x1 || !y0 || !y1) throw new Error('no points');
  const sx = (x1.px[0] - x0.px[0]) / (x1.data[0] - x0.data[0]);
  const sy = (y1.px[1] - y0.px[1]) / (y1.data[1] - y0.data[1]);
  expect(sx).toBeGreaterThan(0);
  expect(sy).toBeLessThan(0);
  for (const { data, px } of all) {
    expect(px[0]).toBeCloseTo(x0.px[0] + sx * (data[0] - x0.data[0]), 1);
    expect(px[1]).toBeCloseTo(y0.px[1] + sy * (data[1] - y0.data[1]), 1);
  }
}

// WCAG 2.x: relative luminance of sRGB and the contrast ratio (L1 + 0.05) / (L2 + 0.05).
function parseRgb(text: string): [number, number, number] {
  const m = /^rgba?\((\d+(?:\.\d+)?),\s*(\d+(?:\.\d+)?),\s*(\d+(?:\.\d+)?)/.exec(text);
  if (!m) throw new Error(`not an rgb() colour: ${text}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
function luminance(rgb: [number, number, number]): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(parseRgb(a)), luminance(parseRgb(b))];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

describe('WCAG contrast helper', () => {
  it('gives the known ratios: 21 for black on white, 4.54 for #767676 on white', () => {
    expect(contrast('rgb(0, 0, 0)', 'rgb(255, 255, 255)')).toBeCloseTo(21, 10);
    // #767676 is the lightest grey that passes AA on white (4.54:1, WebAIM's checker).
    expect(contrast('rgb(118, 118, 118)', 'rgb(255, 255, 255)')).toBeCloseTo(4.54, 2);
  });
});

/** Computed colours of the page, read in the browser. */
async function colours(page: Page, selector: string, property: string): Promise<string> {
  return page.evaluate<string>(
    `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`,
  );
}

describe.runIf(runBrowser)('Runs tab: learning curves and the dark theme', () => {
  let light: { context: BrowserContext; page: Page };
  const curvesUrl = () => `${webUrl}/experiments/${experimentId}/runs`;

  it('overlays the curves of two ticked runs, one line each, at the points written', async () => {
    light = await signedIn('light');
    const { page } = light;
    await page.goto(curvesUrl());
    expect(await page.getByTestId('curves-hint').count()).toBe(1);
    await page.getByLabel('Compare Teacher · seed 0').check();
    await page.waitForURL(new RegExp(`compare=${teacherId}`));
    await page.getByTestId('curves').waitFor();
    await page.getByLabel('Compare KD T=4 · seed 1').check();
    await page.waitForURL(new RegExp(`compare=${teacherId}(%2C|,)${distilledId}`));
    await expect
      .poll(() => page.getByTestId('curves-legend').locator('li').count(), { timeout: 15_000 })
      .toBe(2);
    await chartsDrawn(page);
    expect(await page.getByTestId('curves-legend').locator('li').allTextContents()).toEqual([
      'Teacher · seed 05 epochs',
      'KD T=4 · seed 14 epochs',
    ]);

    // Two series in each chart, no more.
    for (const chart of ['compare-loss', 'compare-trainAccuracy', 'compare-evalAccuracy']) {
      expect(await page.getByTestId(chart).locator('g[data-run-id]').count()).toBe(2);
    }
    expectSameLinearScales([
      {
        drawn: await runPath(page, 'compare-loss', teacherId),
        points: teacherEpochs.map((e) => [e.epoch, e.loss]),
      },
      {
        drawn: await runPath(page, 'compare-loss', distilledId),
        points: distilledEpochs.map((e) => [e.epoch, e.loss]),
      },
    ]);
    expectSameLinearScales([
      {
        drawn: await runPath(page, 'compare-trainAccuracy', teacherId),
        points: teacherEpochs.map((e) => [e.epoch, e.trainAccuracy]),
      },
      {
        drawn: await runPath(page, 'compare-trainAccuracy', distilledId),
        points: distilledEpochs.map((e) => [e.epoch, e.trainAccuracy]),
      },
    ]);
    // Test accuracy: the distilled run was evaluated on epochs 2 and 4 only.
    const evaluated = distilledEpochs.flatMap((e): [number, number][] =>
      e.evalAccuracy === null ? [] : [[e.epoch, e.evalAccuracy]],
    );
    // By hand: 0.3 + 0.1 × 2 and 0.3 + 0.1 × 4.
    expect(evaluated.map(([e]) => e)).toEqual([2, 4]);
    expect(evaluated[0]?.[1]).toBeCloseTo(0.5, 12);
    expect(evaluated[1]?.[1]).toBeCloseTo(0.7, 12);
    expectSameLinearScales([
      {
        drawn: await runPath(page, 'compare-evalAccuracy', teacherId),
        points: teacherEpochs.map((e) => [e.epoch, e.evalAccuracy ?? 0]),
      },
      { drawn: await runPath(page, 'compare-evalAccuracy', distilledId), points: evaluated },
    ]);
    // Colour by arm, as the other charts: the teacher's and the distilled run's lines differ.
    const strokes = await page
      .getByTestId('compare-loss')
      .locator('g[data-run-id]')
      .evaluateAll((gs) =>
        gs.map((g) => (g as { getAttribute(n: string): string | null }).getAttribute('stroke')),
      );
    expect(strokes).toEqual(['var(--series-teacher)', 'var(--series-distilled)']);
    await page.screenshot({ path: `${artifactsDir}web-runs-curves.png`, fullPage: true });
  });

  it('shows the same curves from the shared link, and unticking removes a line', async () => {
    const { page } = light;
    const shared = page.url();
    const other = await light.context.newPage();
    await other.goto(shared);
    await chartsDrawn(other);
    expect(await other.getByTestId('compare-loss').locator('g[data-run-id]').count()).toBe(2);
    expect(await other.getByLabel('Compare Teacher · seed 0').isChecked()).toBe(true);
    await other.getByLabel('Compare Teacher · seed 0').uncheck();
    await other.waitForURL((url) => !url.search.includes(teacherId));
    await expect
      .poll(() => other.getByTestId('curves-legend').locator('li').count(), { timeout: 15_000 })
      .toBe(1);
    await other.close();
    // A hand-edited link: junk and ids of no run of this experiment are left out.
    await page.goto(`${curvesUrl()}?compare=junk,00000000-0000-4000-8000-000000000000`);
    expect(await page.getByTestId('curves-hint').count()).toBe(1);
  });

  it('keeps body text at 4.5:1 or more in the light theme', async () => {
    const { page } = light;
    await page.goto(`${curvesUrl()}?compare=${teacherId},${distilledId}`);
    const bg = await colours(page, 'body', 'backgroundColor');
    expect(bg).toBe('rgb(255, 255, 255)');
    expect(contrast(await colours(page, 'body', 'color'), bg)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(await colours(page, '.meta', 'color'), bg)).toBeGreaterThanOrEqual(4.5);
    await light.context.close();
  });

  it('follows a dark system setting: dark ground, light text at 4.5:1 or more, legible charts', async () => {
    const { context, page } = await signedIn('dark');
    await page.goto(`${curvesUrl()}?compare=${teacherId},${distilledId}`);
    await chartsDrawn(page);
    const bg = await colours(page, 'body', 'backgroundColor');
    const fg = await colours(page, 'body', 'color');
    // A dark ground: relative luminance near black's; the text near white's.
    expect(luminance(parseRgb(bg))).toBeLessThan(0.05);
    expect(luminance(parseRgb(fg))).toBeGreaterThan(0.6);
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
    // Secondary text, links and table cells too.
    for (const selector of ['.meta', '.hint, .meta', 'main a', 'td']) {
      const c = await colours(page, selector, 'color');
      expect(contrast(c, bg), selector).toBeGreaterThanOrEqual(4.5);
    }
    // Charts: axis text in the page's text colour; every line at 3:1 or more (WCAG 1.4.11).
    const chartText = await colours(page, '[data-testid="compare-loss"] svg', 'color');
    expect(chartText).toBe(fg);
    const lineColours = await page
      .getByTestId('compare-loss')
      .locator('g[data-run-id]')
      .evaluateAll((gs) =>
        gs.map(
          (g) =>
            (
              globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string } }
            ).getComputedStyle(g).stroke,
        ),
      );
    expect(lineColours).toHaveLength(2);
    for (const c of lineColours) expect(contrast(c, bg)).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: `${artifactsDir}web-runs-curves-dark.png`, fullPage: true });

    // Saved as SVG, the chart keeps the dark theme's colours, resolved: a file knows no
    // variables of the page.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download chart “Training loss per epoch” as SVG' }).click(),
    ]);
    const file = await readFile((await download.path()) ?? '', 'utf8');
    expect(file).not.toContain('var(');
    expect(file).toContain(`background: ${bg}`);
    for (const c of lineColours) expect(file).toContain(`stroke="${c}"`);

    // The class × group heatmap: legend text legible, and its cells apart from the ground.
    await page.goto(`${webUrl}/experiments/${experimentId}/class-groups`);
    await chartsDrawn(page);
    const cellFills = await page
      .getByTestId('class-group-heatmap')
      .locator('svg g[aria-label="cell"] rect')
      .evaluateAll((rs) =>
        rs.map((r) => (r as { getAttribute(n: string): string | null }).getAttribute('fill') ?? ''),
      );
    expect(cellFills.length).toBeGreaterThan(0);
    // The most distinct colour from the ground must stand out; none may vanish into it.
    for (const fill of cellFills) expect(contrast(fill, bg)).toBeGreaterThan(1.3);
    await page.screenshot({ path: `${artifactsDir}web-class-groups-dark.png`, fullPage: true });
    // The other charts, for a look at the artifacts: every one drawn, axis text in --fg.
    for (const [path, shot] of [
      ['', 'web-overview-dark.png'],
      ['/classes?a=student&b=T4', 'web-classes-dark.png'],
      ['/groups', 'web-groups-dark.png'],
    ] as const) {
      await page.goto(`${webUrl}/experiments/${experimentId}${path}`);
      await chartsDrawn(page);
      expect(await colours(page, 'figure.chart svg', 'color')).toBe(fg);
      await page.screenshot({ path: `${artifactsDir}${shot}`, fullPage: true });
    }
    await context.close();
  });
});

/**
 * The web UI end to end: a real API over a warehouse seeded with a study of KNOWN predictions,
 * the built Next.js app, and a real headless Chromium. Every number the pages show is computed
 * here again, from the predictions, by hand or with @kdlens/metrics.
 */
import { readFile } from 'node:fs/promises';
import { startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import {
  accuracy,
  classAccuracy,
  classGroupCounts,
  compareClasses,
  compareClassGroups,
  estimateOverSeeds,
  intersectionIndex,
  summarizeStudy,
  worstCells,
} from '@kdlens/metrics';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, haveChromium, launchChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { type StudyPlan, seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('warn', 'web-pages');
const runBrowser = haveChromium || Boolean(process.env.CI);

const plan: StudyPlan = {
  classNames: ['circle', 'square', 'triangle', 'cross'],
  examplesPerClass: 24,
  seeds: [0, 1, 2],
  // light has three values against color's two, so every color × light pair occurs (16 each).
  sensitive: { color: ['red', 'blue'], light: ['day', 'dusk', 'night'] },
  arms: [
    {
      role: 'teacher',
      temperature: null,
      architecture: 'resnet56',
      errorByClass: [0.08, 0.1, 0.05, 0.1],
      groupPenalty: 0,
    },
    {
      role: 'student',
      temperature: null,
      architecture: 'resnet20',
      errorByClass: [0.7, 0.15, 0.1, 0.2],
      groupPenalty: 0.15,
    },
    {
      role: 'distilled',
      temperature: 1,
      architecture: 'resnet20',
      errorByClass: [0.45, 0.15, 0.1, 0.15],
      groupPenalty: 0.1,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'resnet20',
      errorByClass: [0.15, 0.12, 0.1, 0.12],
      groupPenalty: 0.02,
    },
  ],
};
const study = seededStudy(plan);
const { labels } = study.testSet;
const numClasses = plan.classNames.length;
const color = study.testSet.sensitive.color ?? [];
const light = study.testSet.sensitive.light ?? [];

// ---- the numbers the pages must show, computed from the predictions ----
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sdOf = (xs: number[]) => {
  const m = meanOf(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};
const pText = (p: number) => (Number.isNaN(p) ? '–' : p < 1e-4 ? p.toExponential(2) : p.toFixed(4));
const runsOf = (role: string, temperature: number | null) =>
  study.runs.filter((r) => r.role === role && r.temperature === temperature);
const armNames = ['Teacher', 'NDS', 'KD T=1', 'KD T=4'];

function armAccuracyText(role: string, temperature: number | null): string {
  // By hand: share of examples predicted right, per seed.
  const values = runsOf(role, temperature).map((r) => {
    let right = 0;
    for (let i = 0; i < labels.length; i++) if (r.predicted[i] === labels[i]) right++;
    return right / labels.length;
  });
  // …and the same through @kdlens/metrics, so the hand count is not the only witness.
  expect(values).toEqual(runsOf(role, temperature).map((r) => accuracy(labels, r.predicted)));
  const m = meanOf(values);
  return `${(m * 100).toFixed(2)} ± ${(sdOf(values) * 100).toFixed(2)}%`;
}

const summary = summarizeStudy({
  numClasses,
  yTrue: labels,
  runs: study.runs.map((r) => ({
    role: r.role,
    temperature: r.temperature,
    seed: r.seed,
    yPred: r.predicted,
  })),
  sensitive: { color },
});

let t: TestDatabase;
let webUrl = '';
let viewerToken = '';
let operatorToken = '';
let experimentId = '';
const stops: (() => Promise<void>)[] = [];
let browser: Browser | undefined;

beforeAll(async () => {
  t = await createTestDatabase('web');
  const outcome = await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'web-study', dataset: 'shapes-import', files: [] },
    study,
  );
  experimentId = outcome.experimentId;
  // A second, smaller study so that search and filters have something to leave out.
  await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'other-study', dataset: 'other-import', files: [] },
    seededStudy({ ...plan, seeds: [0, 1], arms: plan.arms.slice(0, 2) }),
  );
  viewerToken = (await createApiToken(t.warehouse.db, { name: 'web viewer', role: 'viewer' }))
    .token;
  operatorToken = (await createApiToken(t.warehouse.db, { name: 'web operator', role: 'operator' }))
    .token;
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
  // The redirect is a client-side navigation: the URL changes before the list streams in.
  await page.getByTestId('experiments-table').waitFor();
  return { context, page };
}

async function chartsDrawn(page: Page): Promise<void> {
  await expect
    .poll(() => page.locator('figure.chart[data-drawn="false"]').count(), { timeout: 15_000 })
    .toBe(0);
}

/** The DOM as the browser-side callbacks use it (this tsconfig has no DOM library). */
interface RowElement {
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
}

/** The text of every cell of every matching row: what a reader sees in the table. */
function rowCells(rows: unknown[]): string[][] {
  return rows.map((row) =>
    Array.from((row as RowElement).querySelectorAll('th, td'), (c) => (c.textContent ?? '').trim()),
  );
}

async function cellTexts(page: Page, rowSelector: string): Promise<string[][]> {
  return page.locator(rowSelector).evaluateAll(rowCells);
}

describe.runIf(runBrowser)('web UI in headless Chromium', () => {
  let viewer: { context: BrowserContext; page: Page };

  it('says in words that reading needs a token when signed out', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage();
    await page.goto(`${webUrl}/experiments`);
    const alert = page.getByTestId('api-error');
    await expect.poll(() => alert.textContent()).toMatch(/Sign in with an API token/);
    await page.screenshot({ path: `${artifactsDir}web-signed-out.png`, fullPage: true });
    await page.close();
  });

  it('rejects an unknown token on the sign-in page', async () => {
    if (!browser) throw new Error('no browser');
    const page = await browser.newPage();
    await page.goto(`${webUrl}/sign-in`);
    await page.getByLabel('API token').fill('kdl_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // By its id: Next.js's route announcer is an alert too.
    await expect
      .poll(() => page.locator('#token-error').textContent())
      .toMatch(/does not know this token/);
    await page.close();
  });

  it('lists experiments with search and filters kept in the URL', async () => {
    viewer = await signedIn(viewerToken);
    const { page } = viewer;
    // The token lives in an httpOnly cookie: the browser sends it, page scripts cannot read it.
    const cookie = (await viewer.context.cookies()).find((c) => c.name === 'kdlens_token');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(await page.evaluate<string>('document.cookie')).not.toContain('kdlens_token');
    const rows = await cellTexts(page, '[data-testid="experiment-row"]');
    const web = rows.find((r) => r[0] === 'web-study');
    expect(web?.slice(0, 5)).toEqual([
      'web-study',
      'shapes-import',
      'resnet56 → resnet20',
      '1, 4',
      '3',
    ]);
    // Then the teacher's and the NDS's mean accuracy (the hand count of armAccuracyText).
    const meanText = (role: string) => `${armAccuracyText(role, null).split(' ± ')[0]}%`;
    expect(web?.slice(5, 7)).toEqual([meanText('teacher'), meanText('student')]);
    expect(web?.[9]).toBe('succeeded');
    expect(rows.map((r) => r[0]).sort()).toEqual(['other-study', 'web-study']);
    await page.screenshot({ path: `${artifactsDir}web-experiments.png`, fullPage: true });

    await page.getByLabel('Name contains').fill('other');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=other/);
    expect((await cellTexts(page, '[data-testid="experiment-row"]')).map((r) => r[0])).toEqual([
      'other-study',
    ]);

    await page.goto(`${webUrl}/experiments?dataset=shapes-import`);
    expect((await cellTexts(page, '[data-testid="experiment-row"]')).map((r) => r[0])).toEqual([
      'web-study',
    ]);
    await page.goto(`${webUrl}/experiments?status=running`);
    await expect
      .poll(() => page.getByTestId('empty-state').textContent())
      .toMatch(/No experiment matches/);
    await page.goto(`${webUrl}/experiments?first=10&q=study`);
    expect(await page.getByTestId('experiment-count').textContent()).toBe('2 experiments');
  });

  it('shows the recent experiments and their runs on the home page', async () => {
    const { page } = viewer;
    await page.goto(webUrl);
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual([
      'other-study',
      'web-study',
    ]);
    expect(await page.getByTestId('run-row').count()).toBe(4 + 12);
    await page.screenshot({ path: `${artifactsDir}web-home.png`, fullPage: true });
  });

  it('shows accuracy per arm, Table 1 and Table 2 on the overview', async () => {
    const { page } = viewer;
    await page.goto(`${webUrl}/experiments/${experimentId}`);
    const accuracyRows = await cellTexts(page, '[data-testid="accuracy-row"]');
    expect(accuracyRows.map((r) => r[0])).toEqual(armNames);
    expect(accuracyRows.map((r) => r[2])).toEqual([
      armAccuracyText('teacher', null),
      armAccuracyText('student', null),
      armAccuracyText('distilled', 1),
      armAccuracyText('distilled', 4),
    ]);

    // Table 1 under Holm (the default), against compareClasses run here.
    const sigRows = await cellTexts(page, '[data-testid="significance-row"]');
    expect(sigRows.map((r) => r.slice(0, 3))).toEqual(
      [1, 4].map((T) => [
        String(T),
        String(
          compareClasses(
            runsOf('student', null).map((r) => ({ yTrue: labels, yPred: r.predicted })),
            runsOf('distilled', T).map((r) => ({ yTrue: labels, yPred: r.predicted })),
            { numClasses, correction: 'holm' },
          ).significantCount,
        ),
        String(
          compareClasses(
            runsOf('teacher', null).map((r) => ({ yTrue: labels, yPred: r.predicted })),
            runsOf('distilled', T).map((r) => ({ yTrue: labels, yPred: r.predicted })),
            { numClasses, correction: 'holm' },
          ).significantCount,
        ),
      ]),
    );

    // Table 2: DPD and EOD by colour per arm, mean over seeds.
    const fairness = summary.groupFairness.find((f) => f.attribute === 'color');
    const fairRows = await cellTexts(
      page,
      '[data-testid="fairness-table-color"] [data-testid="fairness-row"]',
    );
    expect(fairRows.map((r) => [r[0], r[1]?.split(' ')[0], r[2]?.split(' ')[0]])).toEqual(
      (fairness?.arms ?? []).map((a, i) => [armNames[i], pct(a.dpd.mean), pct(a.eod.mean)]),
    );
    expect(await page.getByTestId('individual-fairness-unavailable').count()).toBe(1);
    await chartsDrawn(page);
    expect(await page.locator('[data-testid="significance-chart"] svg').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="dpd-chart-color"] svg').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="eod-chart-color"] svg').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${artifactsDir}web-overview.png`, fullPage: true });

    // Exports: the table as CSV, the chart as SVG.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /Download web-study-accuracy\.csv/ }).click(),
    ]);
    const csvText = await readFile((await csv.path()) ?? '', 'utf8');
    const teacherMean = meanOf(runsOf('teacher', null).map((r) => accuracy(labels, r.predicted)));
    expect(csvText.split('\r\n')[1]?.split(',').slice(0, 5)).toEqual([
      'Teacher',
      'teacher',
      '',
      '3',
      String(teacherMean),
    ]);
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: /Significant classes against temperature.* as SVG/ })
        .click(),
    ]);
    expect(await readFile((await svg.path()) ?? '', 'utf8')).toMatch(
      /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: /Significant classes against temperature.* as PNG/ })
        .click(),
    ]);
    const pngBytes = await readFile((await png.path()) ?? '');
    expect(pngBytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('compares classes of two arms: numbers, sorting and filtering', async () => {
    const { page } = viewer;
    await page.goto(`${webUrl}/experiments/${experimentId}/classes?a=student&b=T4`);
    const explorer = page.getByTestId('class-explorer');
    await expect.poll(() => explorer.getAttribute('data-ready')).toBe('true');
    const student = runsOf('student', null);
    const kd4 = runsOf('distilled', 4);
    const expected = compareClasses(
      student.map((r) => ({ yTrue: labels, yPred: r.predicted })),
      kd4.map((r) => ({ yTrue: labels, yPred: r.predicted })),
      { numClasses, correction: 'holm' },
    );
    const meanClassAccuracy = (runs: typeof student, c: number) =>
      meanOf(runs.map((r) => classAccuracy(labels, r.predicted, numClasses)[c] ?? Number.NaN));
    const expectedRows = plan.classNames.map((name, c) => {
      const a = meanClassAccuracy(student, c);
      const b = meanClassAccuracy(kd4, c);
      const d = (b - a) * 100;
      const row = expected.perClass[c];
      return [
        name,
        pct(a),
        pct(b),
        `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(2)} pp`,
        pText(row?.pValue ?? Number.NaN),
        pText(row?.pAdjusted ?? Number.NaN),
        row?.significant ? 'yes' : 'no',
      ];
    });
    const shown = await cellTexts(page, '[data-testid="class-row"]');
    // Default order: largest delta first.
    const byDelta = [...expectedRows].sort(
      (x, y) =>
        Number.parseFloat((y[3] ?? '').replace('−', '-').replace('+', '')) -
        Number.parseFloat((x[3] ?? '').replace('−', '-').replace('+', '')),
    );
    expect(shown).toEqual(byDelta);
    expect(await page.getByTestId('significant-summary').textContent()).toContain(
      `${expected.significantCount} of ${expected.testedCount} tested classes`,
    );
    await chartsDrawn(page);
    expect(await page.locator('[data-testid="class-scatter"] circle').count()).toBe(numClasses);
    await page.screenshot({ path: `${artifactsDir}web-classes.png`, fullPage: true });

    // Sorting works from the keyboard: the headers are buttons.
    await page.getByTestId('sort-className').focus();
    await page.keyboard.press('Enter');
    expect((await cellTexts(page, '[data-testid="class-row"]')).map((r) => r[0])).toEqual(
      [...plan.classNames].sort(),
    );
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toMatch(/^class/);
    await page.getByTestId('sort-className').click();
    expect((await cellTexts(page, '[data-testid="class-row"]')).map((r) => r[0])).toEqual(
      [...plan.classNames].sort().reverse(),
    );
    await expect.poll(() => page.url()).toMatch(/sort=className/);

    await page.getByTestId('class-filter').fill('squ');
    expect((await cellTexts(page, '[data-testid="class-row"]')).map((r) => r[0])).toEqual([
      'square',
    ]);
    await page.getByTestId('class-filter').fill('');
    await page.getByTestId('significant-only').check();
    expect((await cellTexts(page, '[data-testid="class-row"]')).map((r) => r[0]).sort()).toEqual(
      plan.classNames.filter((_, c) => expected.perClass[c]?.significant).sort(),
    );
    // The state survives a reload: it is in the URL.
    await page.reload();
    await expect.poll(() => explorer.getAttribute('data-ready')).toBe('true');
    expect(await page.getByTestId('significant-only').isChecked()).toBe(true);
  });

  it('shows per-group counts and rates, and their gaps', async () => {
    const { page } = viewer;
    await page.goto(`${webUrl}/experiments/${experimentId}/groups?attribute=color`);
    const armBlocks = page.getByTestId('arm-groups');
    expect(await armBlocks.count()).toBe(4);
    const arms: [string, number | null][] = [
      ['teacher', null],
      ['student', null],
      ['distilled', 1],
      ['distilled', 4],
    ];
    for (const [k, [role, temperature]] of arms.entries()) {
      const rows = await armBlocks
        .nth(k)
        .locator('[data-testid="group-row"]')
        .evaluateAll(rowCells);
      const expectedRows = ['red', 'blue'].map((group) => {
        const members = color.flatMap((g, i) => (g === group ? [i] : []));
        // By hand, per seed, then the mean: accuracy, and the rates at positive label 1.
        const perSeed = runsOf(role, temperature).map((r) => {
          const right = members.filter((i) => r.predicted[i] === labels[i]).length / members.length;
          const selected = members.filter((i) => r.predicted[i] === 1).length / members.length;
          return { right, selected };
        });
        return [
          group,
          String(members.length),
          pct(meanOf(perSeed.map((s) => s.right))),
          pct(meanOf(perSeed.map((s) => s.selected))),
        ];
      });
      expect(rows.map((r) => r.slice(0, 4)).sort()).toEqual(expectedRows.sort());
    }
    await chartsDrawn(page);
    await page.screenshot({ path: `${artifactsDir}web-groups.png`, fullPage: true });
  });

  it('picks two attributes and a positive class on Groups, then opens the class × group page', async () => {
    const { page } = viewer;
    await page.goto(`${webUrl}/experiments/${experimentId}/groups`);
    await page.getByTestId('attribute-checks').getByLabel('light').check();
    await page.getByTestId('positive-class').selectOption('2');
    await page.getByTestId('min-group-size').fill('10');
    await Promise.all([
      page.waitForURL(/attribute=color&attribute=light&positive=2&min=10/),
      page.getByTestId('groups-submit').click(),
    ]);
    // The URL changes before the new page's content arrives: wait for it.
    await expect
      .poll(() => page.getByRole('heading', { level: 2 }).first().textContent(), {
        timeout: 20_000,
      })
      .toBe('Groups by color × light');
    const armBlocks = page.getByTestId('arm-groups');
    expect(await armBlocks.count()).toBe(4);
    const pairs = ['red', 'blue'].flatMap((c) => ['day', 'dusk', 'night'].map((l) => [c, l]));
    for (const [k, [role, temperature]] of (
      [
        ['teacher', null],
        ['student', null],
        ['distilled', 1],
        ['distilled', 4],
      ] as const
    ).entries()) {
      const rows = await armBlocks
        .nth(k)
        .locator('[data-testid="group-row"]')
        .evaluateAll(rowCells);
      const expectedRows = pairs.map(([c, l]) => {
        const members = color.flatMap((g, i) => (g === c && light[i] === l ? [i] : []));
        const positives = members.filter((i) => labels[i] === 2);
        // By hand, per seed, then the mean: rates with class 2 (triangle) as the positive label.
        const perSeed = runsOf(role, temperature).map((r) => ({
          selected: members.filter((i) => r.predicted[i] === 2).length / members.length,
          tpr: positives.filter((i) => r.predicted[i] === 2).length / positives.length,
        }));
        return [
          `${c} × ${l}`,
          String(members.length),
          pct(meanOf(perSeed.map((x) => x.selected))),
          pct(meanOf(perSeed.map((x) => x.tpr))),
          '',
        ];
      });
      expect(rows.map((r) => [r[0], r[1], r[3], r[4], r[6]]).sort()).toEqual(expectedRows.sort());
    }
    expect(await page.getByTestId('groups-hint').textContent()).toContain(
      'class 2 (triangle) against the rest',
    );
    expect(await page.getByTestId('small-groups').count()).toBe(0);
    await chartsDrawn(page);
    await page.screenshot({ path: `${artifactsDir}web-groups-intersectional.png`, fullPage: true });

    // At the default minimum size (30) every 16-example intersection is flagged small.
    await page.goto(
      `${webUrl}/experiments/${experimentId}/groups?attribute=color&attribute=light&positive=mean`,
    );
    expect(await page.getByTestId('small-groups').textContent()).toContain('red × day (16)');
    expect(
      (await page.getByTestId('group-note').allTextContents()).every(
        (t) => t === 'small: not compared',
      ),
    ).toBe(true);

    await page.getByRole('link', { name: 'Class × group', exact: true }).click();
    await page.waitForURL(/\/class-groups$/);
    // Its own form, not the Groups page's (which has the same attribute boxes) still on screen.
    await page.getByTestId('class-groups-submit').waitFor();
    await page.getByTestId('attribute-checks').getByLabel('light').check();
    await page.getByTestId('baseline').selectOption('student');
    await page.getByTestId('distilled').selectOption('T1');
    await Promise.all([
      page.waitForURL(/from=student&to=T1/),
      page.getByTestId('class-groups-submit').click(),
    ]);
    // The URL changes before the new page's content arrives: wait for the heatmap of color ×
    // light (6 groups), not the color-only one (2 groups) still on screen.
    await expect
      .poll(() => page.locator('[data-testid="class-group-heatmap"] svg rect').count(), {
        timeout: 20_000,
      })
      .toBeGreaterThan(numClasses * 6 - 1);
    await chartsDrawn(page);
    // The worst cells, as compareClassGroups and worstCells rank them from the same arrays.
    const index = intersectionIndex({ color, light }, ['color', 'light']);
    const counts = (role: string, temperature: number | null) =>
      runsOf(role, temperature).map((r) =>
        classGroupCounts(labels, r.predicted, index, numClasses),
      );
    const change = compareClassGroups(counts('student', null), counts('distilled', 1), {
      correction: 'holm',
    });
    const worst = Array.from(worstCells(change, { limit: 200 }));
    const pp = (v: number) =>
      `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v * 100).toFixed(2)} pp`;
    const cellName = (cell: number) => [
      plan.classNames[Math.floor(cell / 6)],
      index.groups[cell % 6]?.join(' × '),
    ];
    const shown = await cellTexts(page, '[data-testid="worst-cell-row"]');
    expect(shown.map((r) => [r[0], r[1], r[5]])).toEqual(
      worst.map((cell) => [...cellName(cell), pp(change.delta[cell] as number)]),
    );
    const top = worst[0] as number;
    expect(shown[0]?.[6]).toBe(
      `[${pp(change.lower[top] as number)}, ${pp(change.upper[top] as number)}]`,
    );
    // The heatmap cell's tooltip, written in the browser from the numbers the page sends:
    // hover the top cell (rects follow the cells with a value, class-major).
    const rectIndex = Array.from(change.delta.subarray(0, top)).filter(Number.isFinite).length;
    await page
      .locator('[data-testid="class-group-heatmap"] svg g[aria-label="cell"] rect')
      .nth(rectIndex)
      .hover();
    const tip = page.locator('[data-testid="class-group-heatmap"] svg g[aria-label="tip"]');
    // Plot wraps the tip's lines, leaving a zero-width space where it broke one.
    const tipText = async () => ((await tip.textContent()) ?? '').replace(/\u200b/g, ' ');
    await expect.poll(tipText).toContain(`${cellName(top).join(' · ')} (`);
    expect(await tipText()).toContain(
      `change ${pp(change.delta[top] as number)} [${pp(change.lower[top] as number)}, ${pp(change.upper[top] as number)}]`,
    );
    // Sorting by examples, then again for descending: the list is re-ordered in the browser.
    await page.getByTestId('worst-sort-examples').click();
    await page.getByTestId('worst-sort-examples').click();
    const byExamples = await cellTexts(page, '[data-testid="worst-cell-row"]');
    const examples = byExamples.map((r) => Number(r[2]));
    expect(examples).toEqual([...examples].sort((a, b) => b - a));
    // The matrix table has every class, one column per group, the same change per cell.
    const table = await cellTexts(page, '[data-testid="class-group-row"]');
    expect(table).toHaveLength(numClasses);
    expect(table[Math.floor(top / 6)]?.[1 + (top % 6)]).toBe(pp(change.delta[top] as number));
    await page.screenshot({ path: `${artifactsDir}web-class-groups.png`, fullPage: true });
  });

  it('shows disagreement per arm pair and per class, sortable, reached from the tabs', async () => {
    const { page } = viewer;
    await page.goto(`${webUrl}/experiments/${experimentId}`);
    await page.getByRole('link', { name: 'Disagreement', exact: true }).click();
    await page.waitForURL(/\/disagreement$/);
    await page.getByTestId('disagreement-pairs-table').waitFor();
    await chartsDrawn(page);
    // By hand: per seed, the share of examples (of a class) where the two runs' labels differ.
    const arms = [
      ['teacher', null],
      ['student', null],
      ['distilled', 1],
      ['distilled', 4],
    ] as const;
    const differ = (ia: number, ib: number, members: number[]) => {
      const [ra, ta] = arms[ia] ?? ['teacher', null];
      const [rb, tb] = arms[ib] ?? ['teacher', null];
      const b = runsOf(rb, tb);
      return runsOf(ra, ta).map((run, s) => {
        const other = b[s]?.predicted ?? [];
        return members.filter((i) => run.predicted[i] !== other[i]).length / members.length;
      });
    };
    const everyone = Array.from(labels.keys());
    const ci = (values: number[]) => {
      const e = estimateOverSeeds(values);
      return `[${pct(e.lower)}, ${pct(e.upper)}]`;
    };
    const expectedPairs = arms.flatMap((_, ia) =>
      arms.slice(ia + 1).map((__, k) => {
        const ib = ia + 1 + k;
        const values = differ(ia, ib, everyone);
        return [armNames[ia], armNames[ib], '0, 1, 2', pct(meanOf(values)), ci(values)];
      }),
    );
    const pairs = await cellTexts(page, '[data-testid="disagreement-pair-row"]');
    expect(pairs.map((r) => r.slice(0, 5))).toEqual(expectedPairs);
    // The first pair (Teacher vs NDS) is shown per class until another is picked.
    expect(await page.getByTestId('disagreement-pair-title').textContent()).toBe('Teacher vs NDS');
    await page
      .getByTestId('disagreement-pair-row')
      .filter({ hasText: 'KD T=4' })
      .filter({ hasText: 'NDS' })
      .getByRole('link', { name: 'show' })
      .click();
    await page.waitForURL(/a=student&b=T4/);
    await expect
      .poll(() => page.getByTestId('disagreement-pair-title').textContent(), { timeout: 20_000 })
      .toBe('NDS vs KD T=4');
    await chartsDrawn(page);
    const overall = differ(1, 3, everyone);
    expect(await page.getByTestId('disagreement-overall').textContent()).toContain(
      `on ${pct(meanOf(overall))} of the test examples ${ci(overall)}`,
    );
    const perClass = plan.classNames.map((name, c) => {
      const members = everyone.filter((i) => labels[i] === c);
      const values = differ(1, 3, members);
      const e = estimateOverSeeds(values);
      return { name, row: [name, String(members.length), pct(e.mean), pct(e.lower), pct(e.upper)] };
    });
    // Most disagreement first (ties by class order), then by name after a click on "class".
    const byMean = [...perClass]
      .map((p, c) => ({
        ...p,
        c,
        mean: meanOf(
          differ(
            1,
            3,
            everyone.filter((i) => labels[i] === c),
          ),
        ),
      }))
      .sort((x, y) => y.mean - x.mean || x.c - y.c);
    expect(await cellTexts(page, '[data-testid="class-disagreement-row"]')).toEqual(
      byMean.map((p) => p.row),
    );
    await page.getByTestId('disagreement-sort-className').click();
    expect(await cellTexts(page, '[data-testid="class-disagreement-row"]')).toEqual(
      [...perClass].sort((x, y) => x.name.localeCompare(y.name)).map((p) => p.row),
    );
    // One bar per class in the chart, twelve cells (six pairs, both ways) in the arm matrix.
    expect(
      await page
        .locator('[data-testid="class-disagreement-chart"] svg g[aria-label="rect"] rect')
        .count(),
    ).toBe(numClasses);
    expect(
      await page
        .locator('[data-testid="disagreement-pairs-chart"] svg g[aria-label="cell"] rect')
        .count(),
    ).toBe(12);
    await page.screenshot({ path: `${artifactsDir}web-disagreement.png`, fullPage: true });
  });

  it('shows the runs, without cancel or launch for a viewer', async () => {
    const { page } = viewer;
    await page.goto(`${webUrl}/experiments/${experimentId}/runs`);
    const rows = await cellTexts(page, '[data-testid="run-row"]');
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r[2] === 'succeeded')).toBe(true);
    expect(rows.map((r) => r[0])).toContain('KD T=4 · seed 2');
    expect(await page.getByTestId('cancel-run').count()).toBe(0);
    await page.screenshot({ path: `${artifactsDir}web-runs.png`, fullPage: true });
    await page.getByRole('link', { name: 'KD T=4 · seed 2' }).click();
    await expect.poll(() => page.getByTestId('run-title').textContent()).toBe('KD T=4 · seed 2');
    const run = runsOf('distilled', 4).find((r) => r.seed === 2);
    expect(await page.getByTestId('run-facts').textContent()).toContain(
      pct(accuracy(labels, run?.predicted ?? [])),
    );
    await page.screenshot({ path: `${artifactsDir}web-run.png`, fullPage: true });

    expect(
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Launch' })
        .count(),
    ).toBe(0);
    await page.goto(`${webUrl}/launch`);
    expect(await page.getByTestId('launch-forbidden').textContent()).toMatch(
      /viewer token; launching needs an operator token/,
    );
    expect(await page.getByTestId('launch-submit').count()).toBe(0);
  });

  it('gives an operator the launch form, which checks fields before sending', async () => {
    const { context, page } = await signedIn(operatorToken);
    try {
      expect(
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Launch' })
          .count(),
      ).toBe(1);
      await page.goto(`${webUrl}/launch`);
      await page.screenshot({ path: `${artifactsDir}web-launch.png`, fullPage: true });
      if ((await page.getByTestId('no-spec-sources').count()) === 1) return;
      await page.getByLabel('Temperatures').fill('4, -1');
      await page.getByLabel('Experiment name').fill('Bad Name');
      await page.getByTestId('launch-submit').click();
      await expect
        .poll(() => page.getByTestId('error-temperatures').textContent())
        .toMatch(/"-1" is not a valid temperature/);
      expect(await page.getByTestId('error-name').textContent()).toMatch(/lower-case/);
      // Nothing was sent: still on the form.
      expect(page.url()).toBe(`${webUrl}/launch`);
    } finally {
      await context.close();
    }
  });

  it('says in words when an experiment id is wrong or unknown', async () => {
    const { page } = viewer;
    await page.goto(`${webUrl}/experiments/not-an-id`);
    expect(await page.getByTestId('api-error').textContent()).toMatch(
      /Could not load this experiment: .*\S/,
    );
    // Polled: under load the page can still show the heading it streamed first (CI once read the
    // experiment's name there) when the load event fires.
    const heading = () => page.getByRole('heading', { level: 1 }).textContent();
    await page.goto(`${webUrl}/experiments/00000000-0000-4000-8000-000000000000`);
    await expect.poll(heading).toBe('Not found');
    // An unknown run of a known experiment: the API answers null, the page is not found.
    await page.goto(
      `${webUrl}/experiments/${experimentId}/runs/00000000-0000-4000-8000-000000000000`,
    );
    await expect.poll(heading).toBe('Not found');
  });

  it('lays out on a phone screen', async () => {
    if (!browser) throw new Error('no browser');
    const { context } = viewer;
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${webUrl}/experiments/${experimentId}/classes?a=teacher&b=T1`);
    await expect
      .poll(() => phone.getByTestId('class-explorer').getAttribute('data-ready'))
      .toBe('true');
    await chartsDrawn(phone);
    // Nothing wider than the screen except inside the scrollable table boxes.
    const overflow = await phone.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${artifactsDir}web-classes-phone.png`, fullPage: true });
    await phone.close();
    await context.close();
  });
});

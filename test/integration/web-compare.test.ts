/**
 * The compare page end to end: a real API over a warehouse seeded with two studies of KNOWN
 * predictions on the same test set (and a third on another), the built Next.js app, and a real
 * headless Chromium. Every number the page shows is computed here again from the predictions:
 * accuracies and per-class changes by counting, the summary's intervals, SC/TC and DPD/EOD with
 * @kdlens/metrics' summarizeStudy on the same arrays.
 */
import { startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, type ImportedStudy, writeImportedStudy } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { type Estimate, summarizeStudy } from '@kdlens/metrics';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, haveChromium, launchChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { type StudyPlan, seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('warn', 'web-compare');
const runBrowser = haveChromium || Boolean(process.env.CI);

const base: Omit<StudyPlan, 'arms'> = {
  classNames: ['circle', 'square', 'triangle', 'cross'],
  examplesPerClass: 24,
  seeds: [0, 1, 2],
  sensitive: { color: ['red', 'blue'] },
};
const planA: StudyPlan = {
  ...base,
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
      architecture: 'resnet8',
      errorByClass: [0.7, 0.15, 0.1, 0.2],
      groupPenalty: 0.15,
    },
    {
      role: 'distilled',
      temperature: 1,
      architecture: 'resnet8',
      errorByClass: [0.45, 0.15, 0.1, 0.15],
      groupPenalty: 0.1,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'resnet8',
      errorByClass: [0.15, 0.12, 0.1, 0.12],
      groupPenalty: 0.02,
    },
  ],
};
const planB: StudyPlan = {
  ...base,
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
      errorByClass: [0.3, 0.4, 0.1, 0.2],
      groupPenalty: 0.05,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'resnet20',
      errorByClass: [0.1, 0.5, 0.05, 0.1],
      groupPenalty: 0.2,
    },
    {
      role: 'distilled',
      temperature: 8,
      architecture: 'resnet20',
      errorByClass: [0.2, 0.2, 0.2, 0.2],
      groupPenalty: 0.1,
    },
  ],
};
const studyA = seededStudy(planA);
const studyB = seededStudy(planB);
// Another test set: more examples per class.
const studyC = seededStudy({ ...planB, examplesPerClass: 30 });
const labels = studyA.testSet.labels;
const C = base.classNames.length;

// ---- the numbers the page must show, computed from the predictions ----
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const pp = (v: number) => {
  const x = v * 100;
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(2)} pp`;
};
const withCi = (e: Estimate) => `${pct(e.mean)} [${pct(e.lower)}, ${pct(e.upper)}]`;
const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const runsOf = (study: ImportedStudy, role: string, temperature: number | null) =>
  study.runs.filter((r) => r.role === role && r.temperature === temperature);

function accuracyByHand(study: ImportedStudy, role: string, temperature: number | null): number {
  return meanOf(
    runsOf(study, role, temperature).map((r) => {
      let right = 0;
      for (let i = 0; i < labels.length; i++) if (r.predicted[i] === labels[i]) right++;
      return right / labels.length;
    }),
  );
}
function classAccuracyByHand(study: ImportedStudy, role: string, temperature: number | null) {
  const perRun = runsOf(study, role, temperature).map((r) =>
    Array.from({ length: C }, (_, c) => {
      let right = 0;
      let total = 0;
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] !== c) continue;
        total++;
        if (r.predicted[i] === c) right++;
      }
      return right / total;
    }),
  );
  return Array.from({ length: C }, (_, c) => meanOf(perRun.map((v) => v[c] as number)));
}
const summaryOf = (study: ImportedStudy) =>
  summarizeStudy({
    numClasses: C,
    yTrue: labels,
    runs: study.runs.map((r) => ({
      role: r.role,
      temperature: r.temperature,
      seed: r.seed,
      yPred: r.predicted,
    })),
    sensitive: { color: study.testSet.sensitive.color ?? [] },
  });
const summaryA = summaryOf(studyA);
const summaryB = summaryOf(studyB);

let t: TestDatabase;
let webUrl = '';
let token = '';
const ids = { a: '', b: '', c: '' };
const stops: (() => Promise<void>)[] = [];
let browser: Browser | undefined;

beforeAll(async () => {
  t = await createTestDatabase('web_compare');
  const write = async (name: string, study: ImportedStudy) =>
    (
      await writeImportedStudy(
        t.warehouse.db,
        { experiment: name, dataset: 'shapes', files: [] },
        study,
      )
    ).experimentId;
  ids.a = await write('small-student', studyA);
  ids.b = await write('large-student', studyB);
  ids.c = await write('other-shapes', studyC);
  token = (await createApiToken(t.warehouse.db, { name: 'compare viewer', role: 'viewer' })).token;
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

/** The DOM as the browser-side callbacks use it (this tsconfig has no DOM library). */
interface RowElement {
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
}
async function cellTexts(page: Page, rowSelector: string): Promise<string[][]> {
  return page
    .locator(rowSelector)
    .evaluateAll((rows) =>
      rows.map((row) =>
        Array.from((row as RowElement).querySelectorAll('th, td'), (c) =>
          (c.textContent ?? '').trim(),
        ),
      ),
    );
}

describe.runIf(runBrowser)('the compare page in headless Chromium', () => {
  let page: Page;

  it('opens from the experiment header with only experiments on the same test set to pick', async () => {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(`${webUrl}/sign-in`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${webUrl}/experiments`);
    await page.goto(`${webUrl}/experiments/${ids.a}`);
    await page.getByTestId('compare-with').click();
    await page.waitForURL(`${webUrl}/compare?ids=${ids.a}`);
    await page.getByTestId('compare-picker').waitFor();
    // The reference's test set is open: itself (checked) and large-student, not other-shapes.
    const open = page.locator('[data-testid="test-set-group"][open]');
    expect(await open.count()).toBe(1);
    expect(await open.getByRole('checkbox').count()).toBe(2);
    expect(await page.getByTestId('pick-small-student').isChecked()).toBe(true);
    expect(await page.getByTestId('pick-large-student').isChecked()).toBe(false);
    expect(await open.getByTestId('pick-other-shapes').count()).toBe(0);
    await page.getByTestId('pick-large-student').check();
    await open.getByTestId('compare-submit').click();
    await page.waitForURL(/ids=.*&ids=/);
    expect(new URL(page.url()).searchParams.getAll('ids')).toEqual([ids.a, ids.b]);
    await page.getByTestId('compare-accuracy').waitFor();
  });

  it('shows accuracy per arm side by side, with the change against the reference', async () => {
    const rows = await cellTexts(page, '[data-testid="compare-accuracy-row"]');
    const cell = (
      summary: typeof summaryA,
      study: ImportedStudy,
      role: string,
      temperature: number | null,
    ) => {
      const arm = summary.arms.find((a) => a.role === role && a.temperature === temperature);
      if (!arm) return '–';
      // The mean by counting; the interval is the summary's bootstrap.
      expect(arm.accuracy.mean).toBeCloseTo(accuracyByHand(study, role, temperature), 12);
      return withCi(arm.accuracy);
    };
    const arms = [
      ['Teacher', 'teacher', null],
      ['NDS', 'student', null],
      ['KD T=1', 'distilled', 1],
      ['KD T=4', 'distilled', 4],
      ['KD T=8', 'distilled', 8],
    ] as const;
    expect(rows).toEqual(
      arms.map(([label, role, temperature]) => {
        const a = cell(summaryA, studyA, role, temperature);
        const b = cell(summaryB, studyB, role, temperature);
        const change =
          a !== '–' && b !== '–'
            ? ` (${pp(accuracyByHand(studyB, role, temperature) - accuracyByHand(studyA, role, temperature))})`
            : '';
        return [label, a, `${b}${change}`];
      }),
    );
  });

  it('shows SC/TC per T and DPD/EOD against T for each experiment', async () => {
    const count = (c: { raw: number; holm: number; tested: number } | null) =>
      c ? `${c.raw} (${c.holm}) of ${c.tested}` : '–';
    const sig = (summary: typeof summaryA, temperature: number) => {
      const s = summary.significance.find((x) => x.temperature === temperature);
      return s ? `SC ${count(s.sc)} · TC ${count(s.tc)}` : '–';
    };
    expect(await cellTexts(page, '[data-testid="compare-significance-row"]')).toEqual(
      [1, 4, 8].map((T) => [`KD T=${T}`, sig(summaryA, T), sig(summaryB, T)]),
    );
    const fair = (summary: typeof summaryA, label: string) => {
      const a = summary.groupFairness[0]?.arms.find(
        (x) =>
          (x.role === 'distilled'
            ? `KD T=${x.temperature}`
            : x.role === 'teacher'
              ? 'Teacher'
              : 'NDS') === label,
      );
      return a ? `${withCi(a.dpd)} · ${withCi(a.eod)}` : '–';
    };
    expect(await cellTexts(page, '[data-testid="compare-fairness-row"]')).toEqual(
      ['Teacher', 'NDS', 'KD T=1', 'KD T=4', 'KD T=8'].map((l) => [
        l,
        fair(summaryA, l),
        fair(summaryB, l),
      ]),
    );
    await expect
      .poll(() => page.locator('figure.chart[data-drawn="false"]').count(), { timeout: 15_000 })
      .toBe(0);
    // One line per experiment in each chart.
    for (const chart of ['compare-dpd-color', 'compare-eod-color']) {
      expect(await page.getByTestId(chart).locator('svg [aria-label="line"] path').count()).toBe(2);
    }
    await page.screenshot({ path: `${artifactsDir}web-compare.png`, fullPage: true });
  });

  it('lists per-class changes, the worst first, sortable, for each shared arm', async () => {
    const options = await page.getByTestId('delta-choice').locator('option').allTextContents();
    expect(options).toEqual(
      ['Teacher', 'NDS', 'KD T=4'].map((l) => `large-student − small-student: ${l}`),
    );
    const expectedRows = (role: string, temperature: number | null) => {
      const a = classAccuracyByHand(studyA, role, temperature);
      const b = classAccuracyByHand(studyB, role, temperature);
      return base.classNames
        .map((name, c) => ({
          name,
          c,
          a: a[c] as number,
          b: b[c] as number,
          d: (b[c] as number) - (a[c] as number),
        }))
        .sort((x, y) => x.d - y.d || x.c - y.c)
        .map((r) => [r.name, pct(r.a), pct(r.b), pp(r.d)]);
    };
    const shown = async () =>
      (await cellTexts(page, '[data-testid="class-delta-row"]')).map((r) => r.slice(0, 4));
    // The first distilled arm to begin with.
    expect(await shown()).toEqual(expectedRows('distilled', 4));
    await page
      .getByTestId('delta-choice')
      .selectOption({ label: 'large-student − small-student: NDS' });
    await expect.poll(shown).toEqual(expectedRows('student', null));
    await page.getByTestId('delta-sort-className').click();
    await expect
      .poll(async () => (await shown()).map((r) => r[0]))
      .toEqual([...base.classNames].sort((x, y) => x.localeCompare(y)));
  });

  it('refuses experiments on different test sets, naming the one that differs', async () => {
    await page.goto(`${webUrl}/compare?ids=${ids.a},${ids.c}`);
    const alert = page.getByTestId('api-error');
    await expect
      .poll(() => alert.textContent())
      .toMatch(/experiments\[1\]: experiment "other-shapes" .* is on a different test set/);
    expect(await page.getByTestId('compare-accuracy').count()).toBe(0);
  });
});

/**
 * How fast the Class × group page renders and sorts with 1000 classes × 8 groups (4 arms × 3
 * seeds: teacher, NDS, KD T=2 and T=4), in headless Chromium against the real API and web app.
 * Time to first render: from navigation start until the heatmap is drawn and the worst-cells table
 * has rows (drawing needs React's effects, so the page has hydrated). Then a sort click on the
 * worst-cells table until its first row changes. The same page with 10 classes × 8 groups is
 * measured in the same run for the ratio (these machines are noisy).
 *
 *   TSX_TSCONFIG_PATH=../tsconfig.json node --import tsx bench/class-groups-page.bench.ts  (in test/)
 *
 * Needs a built web app (npm run build -w @kdlens/web), Chromium, and PostgreSQL:
 * TEST_DATABASE_URL if set, else an embedded server in a temporary folder. Predictions are
 * written straight into the warehouse (writeImportedStudy), as the Classes page bench does.
 *
 * BENCH_SMOKE=1: 100 classes instead of 1000 and one timed load each; the line carries
 * "smoke":true.
 */
import os from 'node:os';
import { startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { createApiToken, openScratchWarehouse } from '@kdlens/core/db';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { type ArmPlan, seededStudy } from '../support/seeded-study.ts';

const log = createLogger('warn', 'class-groups-bench');
const smoke = process.env.BENCH_SMOKE === '1';
const LOADS = smoke ? 1 : 5;
const CLASSES = smoke ? 100 : 1000;
const GROUPS = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8'];

function arms(numClasses: number): ArmPlan[] {
  const wave = (k: number, phase: number) =>
    Array.from({ length: numClasses }, (_, c) => k + 0.1 * Math.sin(c * 0.7 + phase));
  const arm = (
    role: ArmPlan['role'],
    temperature: number | null,
    k: number,
    phase: number,
    groupPenalty: number,
  ): ArmPlan => ({
    role,
    temperature,
    architecture: role === 'teacher' ? 'resnet50' : 'resnet18',
    errorByClass: wave(k, phase),
    groupPenalty,
  });
  return [
    arm('teacher', null, 0.22, 0, 0),
    arm('student', null, 0.3, 1, 0.05),
    arm('distilled', 2, 0.29, 2, 0.04),
    arm('distilled', 4, 0.28, 3, 0.02),
  ];
}

function plan(numClasses: number) {
  return {
    classNames: Array.from({ length: numClasses }, (_, c) => `class-${String(c).padStart(4, '0')}`),
    // 3 test examples per (class, group) cell: 24,000 examples at 1000 classes.
    examplesPerClass: 3 * GROUPS.length,
    seeds: [0, 1, 2],
    sensitive: { group: GROUPS },
    arms: arms(numClasses),
  };
}

/** The few DOM calls the browser-side callbacks make (this tsconfig has no DOM library). */
interface BenchWindow {
  document: {
    querySelector(selector: string): { textContent: string | null; click(): void } | null;
    querySelectorAll(selector: string): { length: number };
  };
  requestAnimationFrame(callback: () => void): number;
}

// Functions, not strings: a string predicate is eval()ed, which the app's CSP refuses.

/** ms from navigation start until the heatmap is drawn and the worst cells are listed. */
async function timeToFirstRender(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as BenchWindow;
      const heatmap = document.querySelector(
        '[data-testid="class-group-heatmap"][data-drawn="true"]',
      );
      const rows = document.querySelectorAll('[data-testid="worst-cell-row"]').length;
      return heatmap && rows > 0 ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  return Number(await handle.jsonValue());
}

/** ms from a click on the worst cells' "examples" header until the first row changes. */
async function timeSortClick(page: Page, column: string): Promise<number> {
  return page.evaluate(async (testId) => {
    const { document, requestAnimationFrame } = globalThis as unknown as BenchWindow;
    const firstCell = '[data-testid="worst-cell-row"]';
    const first = document.querySelector(firstCell)?.textContent ?? null;
    const start = performance.now();
    document.querySelector(`[data-testid="${testId}"]`)?.click();
    for (;;) {
      await new Promise<void>((r) => requestAnimationFrame(() => r()));
      if ((document.querySelector(firstCell)?.textContent ?? null) !== first) {
        return performance.now() - start;
      }
      if (performance.now() - start > 30_000) return Number.NaN;
    }
  }, column);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function main() {
  const { warehouse, dispose } = await openScratchWarehouse({
    label: 'bench_class_groups',
    serverUrl: process.env.TEST_DATABASE_URL,
    log,
  });
  const stops: (() => Promise<void>)[] = [];
  try {
    const seedStart = performance.now();
    const big = await writeImportedStudy(
      warehouse.db,
      { experiment: `bench-cg-${CLASSES}`, files: [] },
      seededStudy(plan(CLASSES)),
    );
    const small = await writeImportedStudy(
      warehouse.db,
      { experiment: 'bench-cg-10', files: [] },
      seededStudy(plan(10)),
    );
    const seedMs = performance.now() - seedStart;
    const { token } = await createApiToken(warehouse.db, { name: 'bench', role: 'viewer' });
    const api = await startApiServer({ db: warehouse.db, log, host: '127.0.0.1', port: 0 });
    stops.push(api.stop);
    const web = await startWeb({ port: await freePort(), apiUrl: api.url, log });
    stops.push(web.stop);
    const browser = await launchChromium();
    stops.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addCookies([
      { name: 'kdlens_token', value: token, url: web.url, httpOnly: true },
    ]);
    const page = await context.newPage();
    const url = (id: string) => `${web.url}/experiments/${id}/class-groups?from=teacher&to=T4`;

    const loads: Record<'big' | 'small', number[]> = { big: [], small: [] };
    const sorts: Record<'big' | 'small', number[]> = { big: [], small: [] };
    // The first load of each fills the API's study cache and warms the Next.js server.
    const firstLoad = await timeToFirstRender(page, url(big.experimentId));
    await timeToFirstRender(page, url(small.experimentId));
    for (let i = 0; i < LOADS; i++) {
      loads.big.push(await timeToFirstRender(page, url(big.experimentId)));
      sorts.big.push(await timeSortClick(page, 'worst-sort-examples'));
      loads.small.push(await timeToFirstRender(page, url(small.experimentId)));
      sorts.small.push(await timeSortClick(page, 'worst-sort-examples'));
    }
    const [load1, load5, load15] = os.loadavg().map((v) => Number(v.toFixed(2)));
    const big1 = median(loads.big);
    const small1 = median(loads.small);
    console.log(
      JSON.stringify({
        bench: 'class-groups-page',
        ...(smoke ? { smoke } : {}),
        classes: CLASSES,
        groups: GROUPS.length,
        arms: 4,
        seeds: 3,
        seedMs: Math.round(seedMs),
        firstLoadMs: Math.round(firstLoad),
        firstRenderMs: Math.round(big1),
        firstRenderMs10Classes: Math.round(small1),
        ratioBigTo10: Number((big1 / small1).toFixed(2)),
        sortClickMs: Math.round(median(sorts.big)),
        sortClickMs10Classes: Math.round(median(sorts.small)),
        loads: LOADS,
        loadAverage: [load1, load5, load15],
      }),
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await dispose();
  }
}

await main();

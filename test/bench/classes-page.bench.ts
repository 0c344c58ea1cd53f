/**
 * How fast the Classes page becomes interactive with 1000 classes (ImageNet's count), in
 * headless Chromium against the real API and web app: from navigation start until the
 * virtualised table has rows, both charts are drawn and React has hydrated (the explorer marks
 * itself ready). The same page with 10 classes is measured in the same run for the ratio (these
 * machines are noisy). Also times a sort click on the 1000-class table.
 *
 *   node --import tsx test/bench/classes-page.bench.ts
 *
 * Needs a built web app (npm run build -w @kdlens/web), Chromium, and PostgreSQL:
 * TEST_DATABASE_URL if set, else an embedded server in a temporary folder.
 *
 * BENCH_SMOKE=1 (CI's `npm run bench:smoke`): 100 classes instead of 1000 and one timed load
 * each, so the whole path (seed, API, web, Chromium, sort) runs in seconds; the line carries
 * "smoke":true.
 */
import { startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { createApiToken, openScratchWarehouse } from '@kdlens/core/db';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { type ArmPlan, seededStudy } from '../support/seeded-study.ts';

const log = createLogger('warn', 'classes-bench');
const smoke = process.env.BENCH_SMOKE === '1';
const LOADS = smoke ? 1 : 5;
/** The large study's class count (ImageNet's). */
const CLASSES = smoke ? 100 : 1000;

function arms(numClasses: number): ArmPlan[] {
  const wave = (k: number, phase: number) =>
    Array.from({ length: numClasses }, (_, c) => k + 0.1 * Math.sin(c * 0.7 + phase));
  return [
    {
      role: 'teacher',
      temperature: null,
      architecture: 'resnet50',
      errorByClass: wave(0.22, 0),
      groupPenalty: 0,
    },
    {
      role: 'student',
      temperature: null,
      architecture: 'resnet18',
      errorByClass: wave(0.3, 1),
      groupPenalty: 0.05,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'resnet18',
      errorByClass: wave(0.28, 2),
      groupPenalty: 0.02,
    },
  ];
}

function plan(numClasses: number) {
  return {
    classNames: Array.from({ length: numClasses }, (_, c) => `class-${String(c).padStart(4, '0')}`),
    examplesPerClass: 10,
    seeds: [0, 1, 2],
    sensitive: { group: ['a', 'b'] },
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

// The callbacks are functions, not strings: Playwright evaluates a string predicate with eval(),
// which the web app's Content-Security-Policy (no 'unsafe-eval') refuses.

/** ms from navigation start until the page is usable, measured by the page's own clock. */
async function timeToInteractive(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as BenchWindow;
      const explorer = document.querySelector('[data-testid="class-explorer"][data-ready="true"]');
      const rows = document.querySelectorAll('[data-testid="class-row"]').length;
      const charts = document.querySelectorAll('figure.chart[data-drawn="true"]').length;
      return explorer && rows > 0 && charts >= 2 ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return Number(await handle.jsonValue());
}

async function timeSortClick(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const { document, requestAnimationFrame } = globalThis as unknown as BenchWindow;
    // No named inner functions: tsx keeps names with a __name helper the page does not have.
    const firstCell = '[data-testid="class-row"] th';
    const first = document.querySelector(firstCell)?.textContent ?? null;
    const start = performance.now();
    document.querySelector('[data-testid="sort-className"]')?.click();
    for (;;) {
      await new Promise<void>((r) => requestAnimationFrame(() => r()));
      if ((document.querySelector(firstCell)?.textContent ?? null) !== first) {
        return performance.now() - start;
      }
    }
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function main() {
  const { warehouse, dispose } = await openScratchWarehouse({
    label: 'bench_classes',
    serverUrl: process.env.TEST_DATABASE_URL,
    log,
  });
  const stops: (() => Promise<void>)[] = [];
  try {
    const seedStart = performance.now();
    const big = await writeImportedStudy(
      warehouse.db,
      { experiment: `bench-${CLASSES}`, files: [] },
      seededStudy(plan(CLASSES)),
    );
    const small = await writeImportedStudy(
      warehouse.db,
      { experiment: 'bench-10', files: [] },
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
    const url = (id: string) => `${web.url}/experiments/${id}/classes?a=student&b=T4`;

    const results: Record<string, number[]> = { 1000: [], 10: [] };
    // The first load of each compiles the API's study cache and warms the Next.js server.
    const firstLoad1000 = await timeToInteractive(page, url(big.experimentId));
    await timeToInteractive(page, url(small.experimentId));
    for (let i = 0; i < LOADS; i++) {
      results[1000]?.push(await timeToInteractive(page, url(big.experimentId)));
      results[10]?.push(await timeToInteractive(page, url(small.experimentId)));
    }
    await timeToInteractive(page, url(big.experimentId));
    const sortMs = await timeSortClick(page);
    const m1000 = median(results[1000] ?? []);
    const m10 = median(results[10] ?? []);
    const line = {
      bench: 'classes-page',
      ...(smoke ? { smoke } : {}),
      classes: CLASSES,
      seedMs: Math.round(seedMs),
      firstLoadMs: Math.round(firstLoad1000),
      interactiveMs: Math.round(m1000),
      interactiveMs10Classes: Math.round(m10),
      ratio1000to10: Number((m1000 / m10).toFixed(2)),
      sortClickMs: Math.round(sortMs),
      loads: LOADS,
      budgetMs: 1500,
      withinBudget: m1000 < 1500,
    };
    console.log(JSON.stringify(line));
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await dispose();
  }
}

await main();

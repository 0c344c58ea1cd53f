// What sorting the experiments list by a headline number, and filtering it by tag, cost beside
// the default order (issue 17). Run with
//   cd packages/core && TSX_TSCONFIG_PATH=../../tsconfig.json node --import tsx bench/experiment-page.bench.ts
// On the embedded PostgreSQL in a temporary folder or, when DATABASE_URL is set, in a fresh
// database created on that server and dropped afterwards. Records BENCH_EXPERIMENTS experiments
// (default 2000), each with a stored summary row (an empty summary, random headline numbers, a
// tenth without them) and one of ten tags, then reads the first page of 100 again and again:
//   newest first (the default)   beside   by max DPD, descending   and   tagged "t3", newest first
// and a page deep into the max DPD order (after the 1000th row, through a cursor). One JSON line
// per case on stdout ({"bench":"experiment-page", ...}: median ms and the ratio to the default,
// measured in the same run), a readable line on stderr. BENCH_SMOKE=1: 200 experiments.

import os from 'node:os';
import { createRandom } from '@kdlens/metrics';
import { openScratchWarehouse } from '../src/db/index.ts';
import {
  type ExperimentListFilter,
  type ExperimentListOrder,
  type ExperimentPageCursor,
  readExperimentPage,
} from '../src/db/queries/experiment-page.ts';
import { recordExperiment, updateExperimentAnnotations } from '../src/db/queries/experiments.ts';
import { writeStudySummary } from '../src/db/queries/study-summaries.ts';
import { createLogger } from '../src/log/logger.ts';

const smoke = process.env.BENCH_SMOKE === '1';
const experiments = Number(process.env.BENCH_EXPERIMENTS ?? (smoke ? 200 : 2000));
const repeats = smoke ? 5 : 50;
const log = createLogger('warn', 'experiment-page-bench');

const scratch = await openScratchWarehouse({
  label: 'experiment_page',
  serverUrl: process.env.DATABASE_URL,
  log,
});
try {
  const db = scratch.warehouse.db;
  const rnd = createRandom(17);
  for (let i = 0; i < experiments; i++) {
    const { experiment } = await recordExperiment(db, {
      name: `e${i}`,
      dataset: 'synthetic',
      spec: {},
      runs: [{ role: 'teacher', temperature: null, seed: 0, architecture: 'mlp' }],
    });
    await updateExperimentAnnotations(db, experiment.id, { tags: [`t${i % 10}`], note: null });
    const has = i % 10 !== 0;
    await writeStudySummary(db, {
      experimentId: experiment.id,
      summary: {},
      options: {},
      fingerprint: 'bench',
      runCount: 1,
      temperatures: [],
      computeMs: 0,
      headline: {
        teacherAccuracy: has ? rnd.next() : null,
        ndsAccuracy: has ? rnd.next() : null,
        bestDistilledAccuracy: has ? rnd.next() : null,
        bestDistilledTemperature: has ? 4 : null,
        maxDpd: has ? rnd.next() : null,
        maxDpdAttribute: has ? 'g' : null,
      },
    });
  }
  await db.$client.query('vacuum analyze');

  const byDpd: ExperimentListOrder = { by: 'maxDpd', order: 'desc' };
  // The cursor after the 1000th row (or the middle one) of the max DPD order.
  const deep = Math.min(1000, Math.floor(experiments / 2));
  const head = await readExperimentPage(db, {}, null, deep, byDpd);
  const last = head.rows.at(-1);
  if (!last) throw new Error('no rows');
  const deepCursor: ExperimentPageCursor = {
    at: last.cursorAt,
    id: last.id,
    value: last.sortValue,
  };

  const cases: {
    name: string;
    filter: ExperimentListFilter;
    after: ExperimentPageCursor | null;
    order?: ExperimentListOrder;
  }[] = [
    { name: 'newest first', filter: {}, after: null },
    { name: 'max DPD desc', filter: {}, after: null, order: byDpd },
    { name: 'tag t3', filter: { tag: 't3' }, after: null },
    { name: `max DPD desc after row ${deep}`, filter: {}, after: deepCursor, order: byDpd },
  ];
  const medians: number[] = [];
  for (const c of cases) {
    const times: number[] = [];
    for (let r = 0; r < repeats + 3; r++) {
      const started = performance.now();
      await readExperimentPage(db, c.filter, c.after, 101, c.order);
      if (r >= 3) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
    medians.push(median);
    const ratio = median / (medians[0] ?? median);
    const line = {
      bench: 'experiment-page',
      case: c.name,
      experiments,
      medianMs: Number(median.toFixed(3)),
      ratioToNewestFirst: Number(ratio.toFixed(2)),
      load: os.loadavg().map((l) => Number(l.toFixed(2))),
      ...(smoke ? { smoke: true } : {}),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    process.stderr.write(
      `${c.name}: ${median.toFixed(2)} ms (×${ratio.toFixed(2)} newest first), ${experiments} experiments\n`,
    );
  }
} finally {
  await scratch.dispose();
}

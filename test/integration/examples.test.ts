import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ApiServer, startApiServer } from '@kdlens/api';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { type StudySummary, summarizeStudy } from '@kdlens/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The analysis examples (examples/python, examples/r) and docs/graphql.md's Python snippets, run as a
// user runs them against a real API server. The study is imported (no training): 10 classes ×
// 30 examples, teacher, NDS and KD at T = 2 and 4, three seeds each, with two sensitive
// attributes (one has a group called "NA", which pandas and R would read as missing if the
// examples let them). The expected numbers come from @kdlens/metrics' summarizeStudy on exactly
// the arrays imported, not from the API.
const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const python = '/usr/bin/python3';
const rscript = '/usr/bin/Rscript';
const execFileAsync = promisify(execFile);

const study = seededStudy({
  classNames: ['airplane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
  examplesPerClass: 30,
  seeds: [0, 1, 2],
  arms: [
    {
      role: 'teacher',
      temperature: null,
      architecture: 'resnet56',
      errorByClass: [0.05, 0.1],
      groupPenalty: 0.05,
    },
    {
      role: 'student',
      temperature: null,
      architecture: 'resnet20',
      errorByClass: [0.1, 0.5, 0.2, 0.15, 0.6, 0.1, 0.3],
      groupPenalty: 0.1,
    },
    {
      role: 'distilled',
      temperature: 2,
      architecture: 'resnet20',
      errorByClass: [0.6, 0.05, 0.2, 0.5, 0.05, 0.1, 0.3],
      groupPenalty: 0.2,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'resnet20',
      errorByClass: [0.1, 0.3, 0.5, 0.1, 0.2],
      groupPenalty: 0,
    },
  ],
  sensitive: { sex: ['female', 'male'], region: ['north', 'NA', 'south'] },
});
// The example addresses its study by a name that needs percent-encoding; docs/graphql.md's snippets
// put the name into the URL as it is, as their text shows.
const EXAMPLE_STUDY = 'toy kd/v2';
const DOCS_STUDY = 'toy-kd';

let t: TestDatabase;
let api: ApiServer;
let base = '';
let viewer = '';
let expected: StudySummary;

beforeAll(async () => {
  t = await createTestDatabase('examples');
  const { db } = t.warehouse;
  for (const experiment of [EXAMPLE_STUDY, DOCS_STUDY]) {
    await writeImportedStudy(db, { experiment, dataset: 'cifar10', files: [] }, study);
  }
  viewer = (await createApiToken(db, { name: 'notebook', role: 'viewer' })).token;
  api = await startApiServer({
    db,
    log: createLogger('warn', 'examples-test'),
    host: '127.0.0.1',
    port: 0,
    responseCache: false,
  });
  base = api.url.replace(/\/graphql$/, '');
  expected = summarizeStudy({
    numClasses: study.testSet.numClasses,
    yTrue: study.testSet.labels,
    runs: study.runs.map((r) => ({
      role: r.role,
      temperature: r.temperature,
      seed: r.seed,
      yPred: r.predicted,
    })),
    sensitive: study.testSet.sensitive,
  });
});

afterAll(async () => {
  await api?.stop();
  await t?.drop();
});

/** Why an interpreter cannot run here, or null; under CI its absence is a failure (.ci/run installs it). */
async function missing(binary: string, check: string[], install: string): Promise<string | null> {
  let reason: string | null = null;
  if (!existsSync(binary)) reason = `${binary} is missing (${install})`;
  else {
    try {
      await execFileAsync(binary, check);
    } catch {
      reason = `${binary} lacks a package (${install})`;
    }
  }
  if (reason !== null && process.env.CI) throw new Error(`needed under CI: ${reason}`);
  if (reason !== null) console.log(`skipped: ${reason}`);
  return reason;
}

const pythonMissing = () =>
  missing(
    python,
    ['-c', 'import pandas, requests'],
    'apt-get install python3-pandas python3-requests',
  );

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(binary: string, args: string[], env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(binary, args, {
      env: { ...process.env, ...env },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const env = (api: string, experiment: string) => ({
  KDLENS_API: api,
  KDLENS_TOKEN: viewer,
  KDLENS_EXPERIMENT: experiment,
});

/** The SC line the examples print, as numbers: "SC at T=2 (…): pandas {…}, API {…}: equal". */
function scFrom(stdout: string): { temperature: number; counts: Record<string, number> } {
  const line = stdout.split('\n').find((l) => l.startsWith('SC at T='));
  const match = line?.match(
    /^SC at T=([\d.]+) .*?raw.? ?[:=] ?(\d+).*?holm.? ?[:=] ?(\d+).*?bh.? ?[:=] ?(\d+).*?tested.? ?[:=] ?(\d+)/,
  );
  if (!match) throw new Error(`no SC line in:\n${stdout}`);
  const [, temperature, raw, holm, bh, tested] = match.map(Number) as number[];
  return {
    temperature: temperature as number,
    counts: {
      raw: raw as number,
      holm: holm as number,
      bh: bh as number,
      tested: tested as number,
    },
  };
}

/** DPD lines: the attribute, and per arm label the example's own mean over seeds. */
function dpdFrom(stdout: string): { attribute: string; means: Map<string, number> } {
  const means = new Map<string, number>();
  let attribute = '';
  for (const m of stdout.matchAll(/^DPD of (.+?) by (\w+) over 3 seeds: \w+ ([\d.]+), API/gm)) {
    attribute = m[2] as string;
    means.set(m[1] as string, Number(m[3]));
  }
  return { attribute, means };
}

const armLabels = ['Teacher', 'NDS', 'KD T=2', 'KD T=4'];

/** The SC count at `temperature` and every arm's DPD the example printed equal summarizeStudy's. */
function expectTheStudysNumbers(stdout: string, temperature = 2): void {
  const sc = scFrom(stdout);
  expect(sc.temperature).toBe(temperature);
  const want = expected.significance.find((s) => s.temperature === temperature)?.sc;
  expect(sc.counts).toEqual(want);
  // The study is built so that the check means something: some classes change, not all.
  expect(want?.raw).toBeGreaterThan(0);
  expect(want?.raw).toBeLessThan(10);
  const dpd = dpdFrom(stdout);
  expect([...dpd.means.keys()].sort(), stdout).toEqual([...armLabels].sort());
  const fairness = expected.groupFairness.find((g) => g.attribute === dpd.attribute);
  expect(fairness, stdout).toBeDefined();
  for (const [i, label] of armLabels.entries()) {
    // Printed with 12 decimals.
    const want = fairness?.arms[i]?.dpd.mean as number;
    expect(Math.abs((dpd.means.get(label) as number) - want), label).toBeLessThan(1e-12);
  }
}

describe('examples/python/kdlens_example.py', () => {
  const script = join(repo, 'examples/python/kdlens_example.py');

  it("finds the study by name, loads its tables and reproduces SC and DPD equal to the API's", async () => {
    if ((await pythonMissing()) !== null) return;
    const r = await run(python, [script], env(base, EXAMPLE_STUDY));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`class-comparison of ${EXAMPLE_STUDY}: `);
    expect(r.stdout).toContain(`predictions of ${EXAMPLE_STUDY}: ${study.runs.length * 300} rows`);
    expect(r.stdout).toMatch(/^p-values of 10 classes, NDS vs KD T=2: .*: equal$/m);
    expect(r.stdout).not.toContain('DIFFERENT');
    expect(r.stdout.trimEnd().endsWith('all checks agree')).toBe(true);
    expectTheStudysNumbers(r.stdout);

    // The first attribute (the default) is region, whose groups include one called "NA".
    expect(dpdFrom(r.stdout).attribute).toBe('region');
    // Arguments override the defaults: T = 4 and the other attribute.
    const t4 = await run(
      python,
      [script, '--temperature', '4', '--attribute', 'sex'],
      env(base, EXAMPLE_STUDY),
    );
    expect(t4.code, t4.stderr).toBe(0);
    expect(t4.stdout.trimEnd().endsWith('all checks agree')).toBe(true);
    expect(dpdFrom(t4.stdout).attribute).toBe('sex');
    expectTheStudysNumbers(t4.stdout, 4);
  });

  it('exits 2 naming the problem when the study or the token is wrong', async () => {
    if ((await pythonMissing()) !== null) return;
    const unknown = await run(python, [script], env(base, 'no such study'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/HTTP 404: experiment: no experiment is named or has the id/);
    const denied = await run(python, [script], {
      ...env(base, EXAMPLE_STUDY),
      KDLENS_TOKEN: 'kdl_x',
    });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/HTTP 401/);
  });

  it('exits 1 when a number the API serves differs from the one pandas computes', async () => {
    if ((await pythonMissing()) !== null) return;
    // A real proxy in front of the real API that adds one to every SC count of the significance
    // table: the example must notice.
    const proxy = http.createServer(async (req, res) => {
      const upstream = await fetch(new URL(req.url ?? '/', base), {
        headers: { authorization: req.headers.authorization ?? '' },
      });
      let body = await upstream.text();
      if (req.url?.endsWith('/significance.csv')) {
        body = body.replace(/,SC,NDS,(\d+),/g, (_, raw: string) => `,SC,NDS,${Number(raw) + 1},`);
      }
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? '',
      });
      res.end(body);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const address = proxy.address() as { port: number };
      const r = await run(python, [script], env(`http://127.0.0.1:${address.port}`, EXAMPLE_STUDY));
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^SC at T=2 .*: DIFFERENT$/m);
      expect(r.stdout.trimEnd().endsWith('1 check(s) disagree')).toBe(true);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

/** The code blocks of one language in a Markdown text, optionally only between two headings. */
function codeBlocks(markdown: string, language: string, from?: string, to?: string): string[] {
  let text = markdown;
  if (from !== undefined) {
    const start = text.indexOf(`\n${from}\n`);
    if (start < 0) throw new Error(`no heading ${from}`);
    text = text.slice(start);
  }
  if (to !== undefined) {
    const end = text.indexOf(`\n${to}\n`);
    if (end < 0) throw new Error(`no heading ${to}`);
    text = text.slice(0, end);
  }
  const fence = new RegExp(`^\`\`\`${language}\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...text.matchAll(fence)].map((m) => m[1] as string);
}

describe('the Python snippets of docs/graphql.md and examples/python/README.md run as written', () => {
  it('docs/graphql.md: GraphQL queries and exports', async () => {
    if ((await pythonMissing()) !== null) return;
    const guide = await readFile(join(repo, 'docs/graphql.md'), 'utf8');
    const examples = await readFile(join(repo, 'examples/python/README.md'), 'utf8');
    const blocks = [...codeBlocks(guide, 'python'), ...codeBlocks(examples, 'python')];
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const code of blocks) {
      const r = await run(python, ['-c', code], env(base, DOCS_STUDY));
      expect(r.stderr, code).toBe('');
      expect(r.code, code).toBe(0);
      expect(r.stdout.trim(), code).not.toBe('');
    }
  });
});

describe('examples/r/kdlens_example.R', () => {
  it('loads the tables with httr and jsonlite and reproduces SC and DPD', async () => {
    if (
      (await missing(
        rscript,
        ['-e', 'library(httr); library(jsonlite)'],
        'apt-get install r-base-core r-cran-httr r-cran-jsonlite',
      )) !== null
    ) {
      return;
    }
    const r = await run(
      rscript,
      [join(repo, 'examples/r/kdlens_example.R')],
      env(base, EXAMPLE_STUDY),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('DIFFERENT');
    expect(r.stdout.trimEnd().endsWith('all checks agree')).toBe(true);
    expectTheStudysNumbers(r.stdout);

    // The snippets of examples/r/README.md run as written.
    const blocks = codeBlocks(await readFile(join(repo, 'examples/r/README.md'), 'utf8'), 'r');
    expect(blocks).toHaveLength(1);
    for (const code of blocks) {
      const snippet = await run(rscript, ['-e', code], env(base, EXAMPLE_STUDY));
      expect(snippet.code, snippet.stderr).toBe(0);
      expect(snippet.stdout).toMatch(/arm_a +arm_b +correction +class_name/);
    }
  });
});

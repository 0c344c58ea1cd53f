import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findExperimentByName, putRunArtifact } from '@kdlens/core/db';
import { deleteExperiment } from '@kdlens/core/queue';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Two imported studies (the fast way to make one) and one queued from the demo preset (runs and
// pg-boss jobs, nothing trained). Predictions follow a fixed rule, so each run's accuracy is
// counted here from the same arrays the files hold.
const N = 40;
const C = 4;
const labels = Array.from({ length: N }, (_, i) => i % C);
const arms = [
  { role: 'teacher', temperature: null, errEvery: 9 },
  { role: 'student', temperature: null, errEvery: 4 },
  { role: 'distilled', temperature: 2, errEvery: 6 },
] as const;
const seeds = [0, 1];

function predictions(errEvery: number, seed: number): number[] {
  return labels.map((y, i) => ((i + seed * 3) % errEvery === 0 ? (y + 1) % C : y));
}

function accuracy(errEvery: number, seed: number): number {
  const pred = predictions(errEvery, seed);
  return pred.filter((p, i) => p === labels[i]).length / N;
}

function csvFor(arm: (typeof arms)[number], seed: number): string {
  const pred = predictions(arm.errEvery, seed);
  const header = [`# role: ${arm.role}`, `# seed: ${seed}`, '# architecture: resnet20'];
  if (arm.temperature !== null) header.push(`# temperature: ${arm.temperature}`);
  header.push('# classes: a, b, c, d');
  const rows = labels.map((y, i) => `ex${i},${y},${pred[i]},${i % 5 < 2 ? 'f' : 'm'}`);
  return [...header, 'id,label,pred,attr_sex', ...rows, ''].join('\n');
}

const cliVersion = (
  JSON.parse(readFileSync(new URL('../../apps/cli/package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

let db: TestDatabase;
let dir: string;
const env = () => ({ DATABASE_URL: db.url });

/** Rows that belong to one experiment, per table of the warehouse and in pg-boss's job tables. */
async function rowsOf(experimentId: string): Promise<Record<string, number>> {
  const count = (from: string, where: string) =>
    sql`(select count(*)::int from ${sql.raw(from)} where ${sql.raw(where)} = ${experimentId}::text)`;
  const byRun = (table: string) =>
    count(`${table} x join runs r on r.id = x.run_id`, 'r.experiment_id::text');
  const tables = {
    experiments: count('experiments', 'id::text'),
    runs: count('runs', 'experiment_id::text'),
    experiment_test_sets: count('experiment_test_sets', 'experiment_id::text'),
    test_set_attributes: count('test_set_attributes', 'experiment_id::text'),
    study_summaries: count('study_summaries', 'experiment_id::text'),
    run_predictions: byRun('run_predictions'),
    run_class_accuracy: byRun('run_class_accuracy'),
    run_group_metrics: byRun('run_group_metrics'),
    run_artifacts: byRun('run_artifacts'),
    jobs: count('pgboss.job', "data->>'experimentId'"),
    archived_jobs: count('pgboss.archive', "data->>'experimentId'"),
  };
  const columns = sql.join(
    Object.entries(tables).map(([name, query]) => sql`${query} as ${sql.identifier(name)}`),
    sql`, `,
  );
  const { rows } = await db.warehouse.db.execute<Record<string, number>>(sql`select ${columns}`);
  return rows[0] ?? {};
}

async function idOf(name: string): Promise<string> {
  const e = await findExperimentByName(db.warehouse.db, name);
  if (!e) throw new Error(`experiment ${name} missing`);
  return e.id;
}

beforeAll(async () => {
  db = await createTestDatabase('clix');
  dir = await mkdtemp(path.join(tmpdir(), 'kdlens-experiments-cli-'));
  const files: string[] = [];
  for (const arm of arms) {
    for (const seed of seeds) {
      const name = path.join(dir, `${arm.role}-${arm.temperature ?? 'x'}-s${seed}.csv`);
      await writeFile(name, csvFor(arm, seed));
      files.push(name);
    }
  }
  const alpha = await runCli(
    ['import', '--experiment', 'alpha', '--dataset', 'toy', ...files],
    env(),
  );
  expect(alpha.code).toBe(0);
  const teachers = files.filter((f) => path.basename(f).startsWith('teacher'));
  const beta = await runCli(['import', '--experiment', 'beta', ...teachers], env());
  expect(beta.code).toBe(0);
  const demo = await runCli(['run', 'demo'], env());
  expect(demo.code).toBe(0);
}, 180_000);

afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kdlens --version and exit codes', () => {
  it('--version prints the CLI package version on stdout', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag], {});
      expect(result).toEqual({ code: 0, stdout: `${cliVersion}\n`, stderr: '' });
    }
  });

  it('usage errors exit 2: unknown command, unknown option, missing argument, conflicting options', async () => {
    const cases = [
      [['experimentz'], /unknown command 'experimentz'/],
      [['experiments', 'list', '--bogus'], /unknown option '--bogus'/],
      [['experiments', 'show'], /missing required argument 'experiment'/],
      [['report', 'alpha', '--json', '--format', 'csv'], /'--json' cannot be used with/],
    ] as const;
    for (const [args, message] of cases) {
      const result = await runCli([...args], env());
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    }
  });

  it('a failure the user can act on exits 1 with one line', async () => {
    const result = await runCli(['experiments', 'show', 'nope'], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "kdlens: no experiment is named or has the id 'nope'; see kdlens experiments list\n",
    );
  });
});

describe('--json on the commands that read', () => {
  it('experiments list: every experiment with its run counts', async () => {
    const result = await runCli(['experiments', 'list', '--json'], env());
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as {
      id: string;
      name: string;
      dataset: string;
      status: string;
      runs: { succeeded: number; total: number };
    }[];
    const byName = Object.fromEntries(list.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(['alpha', 'beta', 'demo']);
    expect(byName.alpha).toMatchObject({
      id: await idOf('alpha'),
      dataset: 'toy',
      status: 'succeeded',
      runs: { succeeded: 6, total: 6 },
    });
    expect(byName.beta).toMatchObject({ dataset: 'imported', runs: { succeeded: 2, total: 2 } });
    // demo: 3 seeds × (teacher + student + 3 temperatures), queued, none trained.
    expect(byName.demo).toMatchObject({
      dataset: 'trifeature',
      status: 'pending',
      runs: { succeeded: 0, total: 15 },
    });

    const text = await runCli(['experiments', 'list'], env());
    expect(text.stdout).toMatch(/^name\s+id\s+dataset\s+status\s+runs\s+created$/m);
    expect(text.stdout).toMatch(
      new RegExp(`^alpha\\s+${await idOf('alpha')}\\s+toy\\s+succeeded\\s+6/6\\s+\\d{4}-`, 'm'),
    );
  });

  it('experiments show: one experiment by name or id, with each unit and its accuracy', async () => {
    const byName = await runCli(['experiments', 'show', 'alpha', '--json'], env());
    const byId = await runCli(['experiments', 'show', await idOf('alpha'), '--json'], env());
    expect(byName.code).toBe(0);
    expect(byId.stdout).toBe(byName.stdout);
    const shown = JSON.parse(byName.stdout) as {
      name: string;
      spec: { source: string };
      counts: Record<string, number>;
      units: {
        role: string;
        temperature: number | null;
        seed: number;
        status: string;
        accuracy: number;
      }[];
    };
    expect(shown.name).toBe('alpha');
    expect(shown.spec.source).toBe('import');
    expect(shown.counts).toEqual({ queued: 0, running: 0, succeeded: 6, failed: 0, cancelled: 0 });
    const expected = arms.flatMap((arm) =>
      seeds.map((seed) => ({
        role: arm.role,
        temperature: arm.temperature,
        seed,
        status: 'succeeded',
        accuracy: accuracy(arm.errEvery, seed),
      })),
    );
    expect(
      shown.units.map(({ role, temperature, seed, status, accuracy }) => ({
        role,
        temperature,
        seed,
        status,
        accuracy,
      })),
    ).toEqual(expected);

    // A study from a spec shows its spec's summary.
    const demo = await runCli(['experiments', 'show', 'demo'], env());
    expect(demo.stdout).toMatch(/^\s+units\s+15: 3 teachers, 3 students, 9 distilled/m);
    expect(demo.stdout).toMatch(/^15 units: 15 queued$/m);
  });

  it('status: the study status and its units', async () => {
    const result = await runCli(['status', 'demo', '--json'], env());
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as {
      name: string;
      status: string;
      counts: Record<string, number>;
      units: { status: string; progress: number }[];
    };
    expect(status).toMatchObject({ name: 'demo', status: 'pending' });
    expect(status.counts).toEqual({
      queued: 15,
      running: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
    });
    expect(status.units).toHaveLength(15);
    expect(status.units.every((u) => u.status === 'queued' && u.progress === 0)).toBe(true);
    const text = await runCli(['status', 'beta'], env());
    expect(text.stdout).toMatch(/^beta: succeeded, 2 units: 2 succeeded$/m);
  });

  it('datasets, spec, token, db status and report print one JSON document on stdout, logs on stderr', async () => {
    // LOG_LEVEL=debug: whatever the commands log must not reach stdout.
    const run = async (args: string[]) => {
      const result = await runCli(args, { ...env(), LOG_LEVEL: 'debug' });
      expect(result.code, args.join(' ')).toBe(0);
      return JSON.parse(result.stdout) as unknown;
    };
    const datasets = (await run(['datasets', 'list', '--json'])) as { name: string }[];
    expect(datasets.map((d) => d.name)).toContain('trifeature');
    const presets = (await run(['spec', 'presets', '--json'])) as { name: string }[];
    expect(presets.map((p) => p.name)).toContain('demo');
    const shown = (await run(['spec', 'show', 'demo', '--json'])) as {
      name: string;
      seeds: number[];
    };
    expect(shown).toMatchObject({ name: 'demo', seeds: [0, 1, 2] });
    const validated = (await run(['spec', 'validate', 'demo', '--json'])) as {
      valid: boolean;
      units: unknown[];
    };
    expect(validated.valid).toBe(true);
    expect(validated.units).toHaveLength(15);

    expect(await run(['token', 'list', '--json'])).toEqual([]);
    const created = await runCli(['token', 'create', '--role', 'viewer', '--name', 'ci'], env());
    expect(created.code).toBe(0);
    const tokens = (await run(['token', 'list', '--json'])) as { name: string; role: string }[];
    expect(tokens.map((t) => [t.name, t.role])).toEqual([['ci', 'viewer']]);

    // alpha 6 runs, beta 2, demo 15.
    expect(await run(['db', 'status', '--json'])).toMatchObject({
      kind: 'external',
      rows: { experiments: 3, runs: 23 },
    });

    const report = await run(['report', 'alpha', '--json']);
    expect(report).toEqual(await run(['report', 'alpha', '--format', 'json']));
    const first = (report as { rows: { arm: string }[] }[])[0];
    expect(first?.rows.map((r) => r.arm)).toEqual(['Teacher', 'NDS', 'KD T=2']);
  });
});

describe('kdlens experiments delete', () => {
  it('refuses without --yes when stdin is not a terminal, and deletes nothing', async () => {
    const id = await idOf('beta');
    const before = await rowsOf(id);
    const result = await runCli(['experiments', 'delete', 'beta'], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'kdlens: not deleting experiment "beta" without confirmation: stdin is not a terminal, so pass --yes\n',
    );
    expect(await rowsOf(id)).toEqual(before);
    expect(before.experiments).toBe(1);
  });

  it('refuses an experiment with running units unless --force, then deletes it and its jobs', async () => {
    const id = await idOf('demo');
    // A worker's claim, as claimRun writes it (no trainer needed to hold a unit running).
    await db.warehouse.db.execute(sql`
      update runs set status = 'running', worker = 'test:1', attempt = 1,
        started_at = now(), heartbeat_at = now()
      where id = (select id from runs where experiment_id = ${id} and role = 'teacher' and seed = 0)`);
    const before = await rowsOf(id);
    expect(before).toMatchObject({ experiments: 1, runs: 15 });
    expect(before.jobs).toBeGreaterThan(0);

    // The CLI checks before it asks; core's delete checks again under its row locks.
    await expect(deleteExperiment(db.warehouse.db, id)).rejects.toThrow(
      'experiment "demo" has 1 running unit(s)',
    );
    expect(await rowsOf(id)).toEqual(before);
    const refused = await runCli(['experiments', 'delete', 'demo', '--yes'], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/has 1 running unit\(s\); cancel it first .* --force\n$/);
    expect(await rowsOf(id)).toEqual(before);

    const others = {
      alpha: await rowsOf(await idOf('alpha')),
      beta: await rowsOf(await idOf('beta')),
    };
    const forced = await runCli(['experiments', 'delete', 'demo', '--yes', '--force'], env());
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe(
      `deleted experiment "demo" (${id}): 15 runs (1 were running), ${before.jobs} queue jobs\n`,
    );
    expect(Object.values(await rowsOf(id)).every((n) => n === 0)).toBe(true);
    expect(await rowsOf(await idOf('alpha'))).toEqual(others.alpha);
    expect(await rowsOf(await idOf('beta'))).toEqual(others.beta);
  });

  it('removes every row of the experiment in every table, by id, and leaves the others', async () => {
    const id = await idOf('alpha');
    const [run] = (
      await db.warehouse.db.execute<{ id: string }>(
        sql`select id from runs where experiment_id = ${id} limit 1`,
      )
    ).rows;
    await putRunArtifact(db.warehouse.db, run?.id ?? '', 'weights', new Uint8Array([1, 2, 3]));
    const before = await rowsOf(id);
    // Every table holds something of alpha, so "0 after" means the delete reached it.
    expect(before).toMatchObject({
      experiments: 1,
      runs: 6,
      experiment_test_sets: 1,
      test_set_attributes: 1,
      study_summaries: 1,
      run_predictions: 6,
      run_class_accuracy: 6,
      run_group_metrics: 6,
      run_artifacts: 1,
    });
    const beta = await rowsOf(await idOf('beta'));

    const result = await runCli(['experiments', 'delete', id, '--yes'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`deleted experiment "alpha" (${id}): 6 runs, 0 queue jobs\n`);
    expect(Object.values(await rowsOf(id)).every((n) => n === 0)).toBe(true);
    expect(await rowsOf(await idOf('beta'))).toEqual(beta);

    const list = JSON.parse((await runCli(['experiments', 'list', '--json'], env())).stdout) as {
      name: string;
    }[];
    expect(list.map((e) => e.name)).toEqual(['beta']);
  });
});

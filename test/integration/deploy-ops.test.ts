import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import {
  countRows,
  dropDatabase,
  ensureDatabase,
  migrationStatus,
  migrationsFolder,
  openWarehouse,
  readResultsState,
  withDatabase,
} from '@kdlens/core/db';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase } from '../support/test-database.ts';

// What docs/deploy.md tells operators to rely on: the committed systemd units are valid, several
// processes starting at once migrate a new warehouse once, and a pg_dump / pg_restore round trip
// gives back the same results.
const units = fileURLToPath(new URL('../../deploy/systemd/', import.meta.url));
const has = (command: string, args: string[]) => {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const adminUrl = inject('adminUrl');
const dropLater: string[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const name of dropLater) await dropDatabase(adminUrl, name);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function emptyDatabase(label: string): Promise<string> {
  const name = `kdlens_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  dropLater.push(name);
  return name;
}

describe.skipIf(!has('systemd-analyze', ['--version']))('systemd units', () => {
  it('pass systemd-analyze verify', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-units-'));
    dirs.push(dir);
    // A template is verified through an instance of it.
    const files = [
      ['kdlens-serve.service', 'kdlens-serve.service'],
      ['kdlens-worker@.service', 'kdlens-worker@1.service'],
    ];
    for (const [from, to] of files) {
      await copyFile(path.join(units, from as string), path.join(dir, to as string));
    }
    const out = execFileSync(
      'systemd-analyze',
      ['verify', '--man=no', ...files.map(([, to]) => path.join(dir, to as string))],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toBe('');
  });
});

describe('upgrades: migrations on start', () => {
  it('are applied once when several processes start at once on a new warehouse', async () => {
    const url = withDatabase(adminUrl, await emptyDatabase('migrate_race'));
    // Three processes, as a server and two workers restarted together after an upgrade.
    const results = await Promise.all(
      [0, 1, 2].map(() => runCli(['db', 'migrate'], { DATABASE_URL: url }, 120_000)),
    );
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const committed = readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).length;
    expect((await migrationStatus(url)).applied).toBe(committed);
  }, 180_000);
});

describe.skipIf(!has('pg_dump', ['--version']) || !has('pg_restore', ['--version']))(
  'backups',
  () => {
    it('restore from pg_dump -Fc with the same results', async () => {
      const source = await createTestDatabase('backup_source');
      const log = createLogger('silent', 'deploy-ops');
      try {
        const { experimentId } = await writeImportedStudy(
          source.warehouse.db,
          { experiment: 'backed-up', dataset: 'seeded', files: [] },
          seededStudy({
            classNames: ['cat', 'dog'],
            examplesPerClass: 5,
            seeds: [0, 1],
            arms: [
              {
                role: 'student',
                temperature: null,
                architecture: 'mlp',
                errorByClass: [0.2],
                groupPenalty: 0,
              },
            ],
            sensitive: {},
          }),
        );
        const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-backup-'));
        dirs.push(dir);
        const dump = path.join(dir, 'kdlens.dump');
        execFileSync('pg_dump', ['--format=custom', `--file=${dump}`, source.url]);
        const target = withDatabase(adminUrl, await emptyDatabase('backup_target'));
        execFileSync('pg_restore', ['--no-owner', `--dbname=${target}`, dump]);

        const restored = await openWarehouse({
          config: { databaseUrl: target, home: '/nonexistent', embeddedPgPort: 0 },
          log,
        });
        try {
          expect(await countRows(restored.db)).toEqual(await countRows(source.warehouse.db));
          const before = await readResultsState(source.warehouse.db, experimentId);
          const after = await readResultsState(restored.db, experimentId);
          expect(after?.fingerprint).toEqual(expect.any(String));
          expect(after).toEqual(before);
          expect((await migrationStatus(target)).applied).toBe(
            (await migrationStatus(source.url)).applied,
          );
        } finally {
          await restored.close();
        }
      } finally {
        await source.drop();
      }
    }, 120_000);
  },
);

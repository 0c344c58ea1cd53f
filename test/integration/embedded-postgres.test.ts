import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@kdlens/core';
import { countRows, openWarehouse } from '@kdlens/core/db';
import { afterAll, expect, it } from 'vitest';

const log = createLogger('warn', 'embedded-test');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function home(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-embedded-'));
  dirs.push(dir);
  return dir;
}

it('a second process joins the running embedded server; only the owner stops it', async () => {
  const config = { databaseUrl: undefined, home: await home(), embeddedPgPort: 0 };
  const first = await openWarehouse({ config, log });
  const second = await openWarehouse({ config, log });
  expect(first.kind).toBe('embedded');
  expect(second.embedded?.owned).toBe(false);
  expect(second.embedded?.port).toBe(first.embedded?.port);
  expect(await countRows(second.db)).toEqual({ experiments: 0, runs: 0 });

  await second.close();
  expect(await countRows(first.db)).toEqual({ experiments: 0, runs: 0 });
  const pidFile = path.join(config.home, 'postgres', 'postmaster.pid');
  expect(existsSync(pidFile)).toBe(true);
  await first.close();
  expect(existsSync(pidFile)).toBe(false);
});

it('recovers from a lock file left by a server that died', async () => {
  const config = { databaseUrl: undefined, home: await home(), embeddedPgPort: 0 };
  const w = await openWarehouse({ config, log });
  await w.close();
  // What a killed server leaves behind: postmaster.pid naming a process that no longer exists.
  const pidFile = path.join(config.home, 'postgres', 'postmaster.pid');
  const deadPid = 2 ** 22 + 12345; // above Linux's default pid_max, so never a live process
  await writeFile(pidFile, `${deadPid}\n${path.dirname(pidFile)}\n0\n5432\n`);
  const again = await openWarehouse({ config, log });
  expect(again.embedded?.owned).toBe(true);
  expect((await readFile(pidFile, 'utf8')).split('\n')[0]).not.toBe(String(deadPid));
  await again.close();
});

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../log/logger.ts';
import { dropDatabase, ensureDatabase, withDatabase } from './admin.ts';
import { openWarehouse, type Warehouse } from './warehouse.ts';

export interface ScratchWarehouse {
  warehouse: Warehouse;
  /** Closes the warehouse and removes its database (or the embedded server's folder). */
  dispose(): Promise<void>;
}

/**
 * A throw-away, migrated warehouse for benchmarks: a uniquely named database on `serverUrl`
 * (a URL to any database on that server) when given, else an embedded server in a temporary
 * folder. Nothing of it outlives `dispose()`.
 */
export async function openScratchWarehouse(opts: {
  /** Part of the database or folder name, so a leftover says which bench made it. */
  label: string;
  serverUrl?: string | undefined;
  log: Logger;
}): Promise<ScratchWarehouse> {
  const { serverUrl, log } = opts;
  if (serverUrl) {
    const name = `kdlens_${opts.label}_${process.pid}_${randomBytes(3).toString('hex')}`;
    await ensureDatabase(serverUrl, name);
    const warehouse = await openWarehouse({
      config: {
        databaseUrl: withDatabase(serverUrl, name),
        home: '/nonexistent',
        embeddedPgPort: 0,
      },
      log,
    });
    return {
      warehouse,
      dispose: async () => {
        await warehouse.close();
        await dropDatabase(serverUrl, name);
      },
    };
  }
  const home = await mkdtemp(path.join(os.tmpdir(), `kdlens-${opts.label}-`));
  const warehouse = await openWarehouse({
    config: { databaseUrl: undefined, home, embeddedPgPort: 0 },
    log,
  });
  return {
    warehouse,
    dispose: async () => {
      await warehouse.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

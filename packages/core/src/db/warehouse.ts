import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/env.ts';
import { WarehouseError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { ensureDatabase, withDatabase } from './admin.ts';
import { connectionError } from './connection-error.ts';
import { createDatabase, type Database } from './database.ts';
import {
  EMBEDDED_DATABASE,
  type EmbeddedServer,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
import { migrateWarehouse } from './migrate.ts';

export interface Warehouse {
  db: Database;
  /** The URL this process connects with (password included; never log it unredacted). */
  url: string;
  /** 'embedded' when KDLens runs the server itself, 'external' for DATABASE_URL. */
  kind: 'embedded' | 'external';
  embedded: EmbeddedServer | undefined;
  /** Closes the pool and, if this process started it, stops the embedded server. */
  close(): Promise<void>;
}

export interface OpenWarehouseOptions {
  config: Pick<Config, 'databaseUrl' | 'home' | 'embeddedPgPort'>;
  log: Logger;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  poolSize?: number;
}

/** The warehouse's data directory for the embedded server. */
export function embeddedDataDir(home: string): string {
  return path.join(home, 'postgres');
}

/**
 * Connects to DATABASE_URL, or starts the embedded server, then applies migrations. Every entry
 * point (CLI, API, workers, tests) opens the warehouse through here.
 */
export async function openWarehouse(opts: OpenWarehouseOptions): Promise<Warehouse> {
  const { config, log } = opts;
  let url: string;
  let source: string;
  let embedded: EmbeddedServer | undefined;
  if (config.databaseUrl) {
    url = config.databaseUrl;
    source = 'DATABASE_URL';
  } else {
    embedded = await startEmbeddedPostgres({
      dataDir: embeddedDataDir(config.home),
      port: config.embeddedPgPort,
      log,
    });
    url = withDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
    source = `the embedded server in ${embeddedDataDir(config.home)}`;
    try {
      await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE);
    } catch (error) {
      await embedded.stop();
      throw connectionError(error, embedded.adminUrl, source);
    }
  }

  try {
    await ping(url);
  } catch (error) {
    await embedded?.stop();
    throw connectionError(error, url, source);
  }
  if (opts.migrate !== false) {
    try {
      await migrateWarehouse(url);
    } catch (error) {
      await embedded?.stop();
      const reason = error instanceof Error ? error.message : String(error);
      throw new WarehouseError(`could not apply the warehouse migrations: ${reason}`);
    }
  }

  const db = createDatabase(url, opts.poolSize);
  let closing: Promise<void> | undefined;
  return {
    db,
    url,
    kind: embedded ? 'embedded' : 'external',
    embedded,
    close: () => {
      closing ??= (async () => {
        await db.$client.end();
        await embedded?.stop();
      })();
      return closing;
    },
  };
}

async function ping(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  await client.end();
}

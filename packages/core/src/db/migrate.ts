import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/** The committed migrations that drizzle-kit generated from schema.ts. */
export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

// Any constant works; it only has to be the same in every KDLens process.
const MIGRATION_LOCK = 0x6b646c; // "kdl"

/**
 * Applies pending migrations. A session-level advisory lock, held on one dedicated connection,
 * makes concurrent starts (several workers, the API, the CLI) wait instead of racing on DDL.
 */
export async function migrateWarehouse(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('set client_min_messages = warning');
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end();
  }
}

/** Names of the migrations in the folder and of those the database has applied. */
export async function migrationStatus(
  url: string,
): Promise<{ applied: number; lastAppliedAt: Date | undefined }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query(
      "select to_regclass('drizzle.__drizzle_migrations') is not null as present",
    );
    if (!exists.rows[0]?.present) return { applied: 0, lastAppliedAt: undefined };
    const rows = await client.query<{ n: string; last: string | null }>(
      'select count(*) as n, max(created_at) as last from drizzle.__drizzle_migrations',
    );
    const row = rows.rows[0];
    return {
      applied: Number(row?.n ?? 0),
      lastAppliedAt: row?.last ? new Date(Number(row.last)) : undefined,
    };
  } finally {
    await client.end();
  }
}

import pg from 'pg';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

function assertIdentifier(name: string): void {
  if (!identifier.test(name)) {
    throw new Error(`database name "${name}" must match ${identifier} (lower case, digits, _)`);
  }
}

/** Replaces the database part of a connection URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `name` on the server unless it exists. `adminUrl` points at any existing database. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  assertIdentifier(name);
  await withAdmin(adminUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  });
}

/** Drops `name`, closing other sessions on it first (PostgreSQL 13+). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertIdentifier(name);
  await withAdmin(adminUrl, (client) =>
    client.query(`drop database if exists "${name}" with (force)`),
  );
}

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

/**
 * Drops `name`, closing our own other sessions on it first. Not `WITH (FORCE)`: that refuses when
 * any session on the database belongs to a role we may not signal, an autovacuum worker cleaning
 * up after a test that wrote much, for one; a plain DROP cancels autovacuum by itself. A session
 * that is still closing gives "being accessed by other users" (55006) for a moment, so try again.
 */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertIdentifier(name);
  await withAdmin(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      await client.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid() and pg_has_role(usesysid, 'member')`,
        [name],
      );
      try {
        await client.query(`drop database if exists "${name}"`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  });
}

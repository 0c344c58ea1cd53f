import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.ts';

export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export function createDatabase(url: string, poolSize = 10): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection dies when the server stops or restarts (e.g. the embedded server during
  // Ctrl-C). pg-pool then emits 'error', which would crash the process if nobody listened; the
  // pool drops that client and the next query opens a fresh one or reports the real problem.
  pool.on('error', () => {});
  // A connection the server ends while it is checked out (an export's snapshot past
  // idle_in_transaction_session_timeout, a restart mid-transaction) emits 'error' on the client,
  // where pg-pool listens only while it is idle: that would crash the process. The error still
  // reaches the query that runs next on it, and its release destroys it.
  pool.on('connect', (client) => client.on('error', () => {}));
  return drizzle(pool, { schema });
}

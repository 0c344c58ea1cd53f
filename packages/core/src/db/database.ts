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
  return drizzle(pool, { schema });
}

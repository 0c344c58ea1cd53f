import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Database } from './database.ts';
import { isDatabaseUnavailable } from './database-unavailable.ts';
import { migrationsFolder } from './migrate.ts';

export type WarehouseReadiness = { ready: true } | { ready: false; reason: string };

const journalSchema = z.object({ entries: z.array(z.object({ tag: z.string() })) });
let expectedMigrations: number | undefined;

/** How many migrations this build ships (drizzle-kit's journal), read once. */
function shippedMigrations(): number {
  expectedMigrations ??= journalSchema.parse(
    JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')),
  ).entries.length;
  return expectedMigrations;
}

const appliedSchema = z.object({ applied: z.coerce.number() });

/**
 * Whether the warehouse can serve: one statement through the pool within `timeoutMs` that also
 * checks that exactly this build's migrations are applied. The reason is short and names no
 * host, path or SQL, since readiness probes are often public.
 */
export async function warehouseReadiness(
  db: Database,
  timeoutMs = 2000,
): Promise<WarehouseReadiness> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const probe = db.$client
    .query('select count(*) as applied from drizzle.__drizzle_migrations')
    .then((r) => appliedSchema.parse(r.rows[0]).applied);
  // A probe that loses the race still settles later; nobody must see it as unhandled.
  probe.catch(() => undefined);
  try {
    const applied = await Promise.race([probe, deadline]);
    if (applied === 'timeout')
      return { ready: false, reason: `database did not answer within ${timeoutMs} ms` };
    const shipped = shippedMigrations();
    if (applied < shipped)
      return { ready: false, reason: `migrations pending (${applied} of ${shipped} applied)` };
    if (applied > shipped) {
      return {
        ready: false,
        reason: `database has ${applied - shipped} migration(s) newer than this build`,
      };
    }
    return { ready: true };
  } catch (error) {
    if (isDatabaseUnavailable(error)) return { ready: false, reason: 'database unavailable' };
    // 42P01: no migrations table yet.
    if ((error as { code?: string }).code === '42P01')
      return { ready: false, reason: 'migrations not applied' };
    return { ready: false, reason: 'database check failed' };
  } finally {
    clearTimeout(timer);
  }
}

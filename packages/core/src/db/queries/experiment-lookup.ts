import { eq } from 'drizzle-orm';
import { type ExperimentRow, experiments } from '../schema.ts';
import type { Executor } from './executor.ts';

// Any UUID layout PostgreSQL's uuid type accepts in its canonical form (not only RFC v4).
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The experiment a user names: by id when `ref` is a UUID and some experiment has it, else by
 * name (so a name that happens to look like a UUID still works). The CLI's rule, in one place
 * for every front end (`kdlens report`, `kdlens export`, `GET /export/…`).
 */
export async function findExperiment(
  db: Executor,
  ref: string,
): Promise<ExperimentRow | undefined> {
  if (uuidPattern.test(ref)) {
    const [byId] = await db.select().from(experiments).where(eq(experiments.id, ref.toLowerCase()));
    if (byId) return byId;
  }
  const [byName] = await db.select().from(experiments).where(eq(experiments.name, ref));
  return byName;
}

import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../database.ts';
import { type RunArtifactKind, runArtifactKinds, runArtifacts } from '../schema.ts';
import { parseOrThrow } from './array-refinements.ts';

export interface RunArtifact {
  bytes: Buffer;
  metadata: Record<string, unknown>;
  updatedAt: Date;
}

const artifactSchema = z.object({
  kind: z.enum(runArtifactKinds),
  bytes: z.instanceof(Uint8Array),
  metadata: z.record(z.string(), z.unknown()),
});

/**
 * Stores (or replaces) a run's weights or its latest checkpoint, so a student on another machine
 * can fetch its teacher and a retried unit can resume. One row per kind: a new checkpoint
 * overwrites the previous one.
 */
export async function putRunArtifact(
  db: Database,
  runId: string,
  kind: RunArtifactKind,
  bytes: Uint8Array,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  const a = parseOrThrow(artifactSchema, { kind, bytes, metadata }, 'putRunArtifact');
  const buffer = Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
  await db
    .insert(runArtifacts)
    .values({ runId, kind: a.kind, bytes: buffer, metadata: a.metadata })
    .onConflictDoUpdate({
      target: [runArtifacts.runId, runArtifacts.kind],
      set: { bytes: buffer, metadata: a.metadata, updatedAt: sql`now()` },
    });
}

export async function getRunArtifact(
  db: Database,
  runId: string,
  kind: RunArtifactKind,
): Promise<RunArtifact | undefined> {
  const [row] = await db
    .select({
      bytes: runArtifacts.bytes,
      metadata: runArtifacts.metadata,
      updatedAt: runArtifacts.updatedAt,
    })
    .from(runArtifacts)
    .where(and(eq(runArtifacts.runId, runId), eq(runArtifacts.kind, kind)));
  return row;
}

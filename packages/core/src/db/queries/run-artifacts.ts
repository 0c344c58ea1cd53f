import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { KdlensError } from '../../errors.ts';
import type { Database } from '../database.ts';
import {
  type RunArtifactKind,
  runArtifactChunks,
  runArtifactKinds,
  runArtifacts,
  runs,
} from '../schema.ts';
import { parseOrThrow } from './array-refinements.ts';
import type { Executor } from './executor.ts';

export interface ArtifactWriteOptions {
  /**
   * The queue worker's claim on the run: the write happens only while the run is still running
   * under this worker, so an attempt that lost its unit (stale, cancelled, requeued) cannot
   * overwrite what the attempt that won stored, nor leave a checkpoint behind a finished run.
   */
  claim?: { worker: string };
}

/** An artifact write refused because the run is no longer claimed by the writing worker. */
export class ArtifactClaimLostError extends KdlensError {
  override readonly name = 'ArtifactClaimLostError';
  constructor(runId: string, kind: RunArtifactKind) {
    super(`run ${runId} is no longer claimed by this worker; its ${kind} was not stored`);
  }
}

/**
 * Bytes per run_artifact_chunks row. A row is sent as one parameter and read back as hex text
 * (twice its size) plus its Buffer, so this bounds the memory an artifact costs in transit.
 */
export const ARTIFACT_CHUNK_BYTES = 4 * 1024 * 1024;

export interface RunArtifact {
  bytes: Buffer;
  metadata: Record<string, unknown>;
  updatedAt: Date;
}

export interface RunArtifactInfo {
  metadata: Record<string, unknown>;
  updatedAt: Date;
  /** Bytes read. */
  byteLength: number;
}

const artifactSchema = z.object({
  kind: z.enum(runArtifactKinds),
  metadata: z.record(z.string(), z.unknown()),
});

/**
 * Stores (or replaces) a run's weights or its latest checkpoint from `chunks` as they come, so a
 * student on another machine can fetch its teacher and a retried unit can resume. One artifact
 * per kind: a new checkpoint replaces the previous one. At most one chunk of bytes is held here
 * at a time; the artifact appears whole or not at all (one transaction, which also serializes
 * two writers of the same artifact on its row). Returns the bytes stored.
 */
export async function writeRunArtifact(
  db: Database,
  runId: string,
  kind: RunArtifactKind,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  metadata: Record<string, unknown> = {},
  opts: ArtifactWriteOptions = {},
): Promise<number> {
  const a = parseOrThrow(artifactSchema, { kind, metadata }, 'writeRunArtifact');
  return db.transaction(async (tx) => {
    if (opts.claim) {
      // Held until the commit: the run cannot be requeued or finished under this write.
      const held = await tx
        .select({ id: runs.id })
        .from(runs)
        .where(
          and(eq(runs.id, runId), eq(runs.worker, opts.claim.worker), eq(runs.status, 'running')),
        )
        .for('share');
      if (held.length === 0) throw new ArtifactClaimLostError(runId, a.kind);
    }
    await tx
      .insert(runArtifacts)
      .values({ runId, kind: a.kind, metadata: a.metadata })
      .onConflictDoUpdate({
        target: [runArtifacts.runId, runArtifacts.kind],
        set: { metadata: a.metadata, updatedAt: sql`now()` },
      });
    await tx
      .delete(runArtifactChunks)
      .where(and(eq(runArtifactChunks.runId, runId), eq(runArtifactChunks.kind, a.kind)));
    let seq = 0;
    let total = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (upTo: number) => {
      // Joins what came (file reads of 64 KB) into rows of ARTIFACT_CHUNK_BYTES.
      const joined = Buffer.concat(pending, pendingBytes);
      let at = 0;
      for (; joined.byteLength - at >= upTo && joined.byteLength - at > 0; at += upTo) {
        await insertChunk(tx, runId, a.kind, seq++, joined.subarray(at, at + upTo));
      }
      pending = at < joined.byteLength ? [joined.subarray(at)] : [];
      pendingBytes = joined.byteLength - at;
    };
    for await (const chunk of chunks) {
      const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      pending.push(piece);
      pendingBytes += piece.byteLength;
      total += piece.byteLength;
      if (pendingBytes >= ARTIFACT_CHUNK_BYTES) await flush(ARTIFACT_CHUNK_BYTES);
    }
    if (pendingBytes > 0) await flush(pendingBytes);
    return total;
  });
}

function insertChunk(
  tx: Executor,
  runId: string,
  kind: RunArtifactKind,
  seq: number,
  bytes: Buffer,
): Promise<unknown> {
  return tx.insert(runArtifactChunks).values({ runId, kind, seq, bytes });
}

/**
 * Reads a run's artifact a chunk at a time into `consume`, in order, from one snapshot (a
 * checkpoint replaced meanwhile is read as it was). Undefined, and `consume` never called, when
 * the run has none of this kind.
 */
export async function readRunArtifact(
  db: Database,
  runId: string,
  kind: RunArtifactKind,
  consume: (chunk: Buffer) => Promise<void> | void,
): Promise<RunArtifactInfo | undefined> {
  return db.transaction(
    async (tx) => {
      const [row] = await tx
        .select({ metadata: runArtifacts.metadata, updatedAt: runArtifacts.updatedAt })
        .from(runArtifacts)
        .where(and(eq(runArtifacts.runId, runId), eq(runArtifacts.kind, kind)));
      if (!row) return undefined;
      let byteLength = 0;
      for (let seq = 0; ; seq++) {
        const [chunk] = await tx
          .select({ bytes: runArtifactChunks.bytes })
          .from(runArtifactChunks)
          .where(
            and(
              eq(runArtifactChunks.runId, runId),
              eq(runArtifactChunks.kind, kind),
              eq(runArtifactChunks.seq, seq),
            ),
          );
        if (!chunk) break;
        byteLength += chunk.bytes.byteLength;
        await consume(chunk.bytes);
      }
      return { ...row, byteLength };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** Stores a small artifact held in memory (writeRunArtifact for large ones). */
export async function putRunArtifact(
  db: Database,
  runId: string,
  kind: RunArtifactKind,
  bytes: Uint8Array,
  metadata: Record<string, unknown> = {},
  opts: ArtifactWriteOptions = {},
): Promise<void> {
  await writeRunArtifact(db, runId, kind, [bytes], metadata, opts);
}

/** A small artifact, whole in memory (readRunArtifact for large ones). */
export async function getRunArtifact(
  db: Database,
  runId: string,
  kind: RunArtifactKind,
): Promise<RunArtifact | undefined> {
  const chunks: Buffer[] = [];
  const info = await readRunArtifact(db, runId, kind, (chunk) => {
    chunks.push(chunk);
  });
  if (!info) return undefined;
  return { bytes: Buffer.concat(chunks), metadata: info.metadata, updatedAt: info.updatedAt };
}

/**
 * Retention: a unit that succeeded needs no checkpoint (its final weights, for a teacher, stay).
 * Run it in the transaction that marks the run succeeded.
 */
export async function deleteRunCheckpoint(db: Executor, runId: string): Promise<void> {
  await db
    .delete(runArtifacts)
    .where(and(eq(runArtifacts.runId, runId), eq(runArtifacts.kind, 'checkpoint')));
}

import { sql } from 'drizzle-orm';
import type { Database } from '../database.ts';
import type { Transaction } from './executor.ts';

/** A read-only transaction that stays open across awaits and yields until `close`. */
export interface ReadSnapshot {
  tx: Transaction;
  /** Ends the transaction (nothing was written, so commit and rollback are the same). */
  close(): Promise<void>;
}

/**
 * Opens a REPEATABLE READ, READ ONLY transaction for a reader that takes its rows in many
 * queries over a long time (an export streamed page by page): every query sees the warehouse as
 * it was at the first one, so a run saved meanwhile cannot mix into half the pages. Readers never
 * block writers in PostgreSQL; the cost is one pooled connection until `close`, which the caller
 * must reach (a `finally`). With `idleTimeoutMs`, PostgreSQL ends the transaction (and the
 * reader's next query fails) once it has waited that long between two queries, so a reader that
 * stops taking rows cannot hold the connection, or the vacuum horizon, for ever.
 */
export async function openReadSnapshot(
  db: Database,
  options: { idleTimeoutMs?: number } = {},
): Promise<ReadSnapshot> {
  let handOut: (tx: Transaction) => void = () => {};
  const ready = new Promise<Transaction>((resolve) => {
    handOut = resolve;
  });
  let end: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    end = resolve;
  });
  // drizzle's transaction is callback-shaped; the callback waits here until close() so the
  // transaction can outlive it.
  const finished = db.transaction(
    async (tx) => {
      if (options.idleTimeoutMs !== undefined) {
        await tx.execute(
          sql`select set_config('idle_in_transaction_session_timeout', ${String(Math.round(options.idleTimeoutMs))}, true)`,
        );
      }
      handOut(tx);
      await ended;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  const tx = await Promise.race([
    ready,
    finished.then(() => {
      throw new Error('openReadSnapshot: the transaction ended before it started');
    }),
  ]);
  return {
    tx,
    close: async () => {
      end();
      await finished;
    },
  };
}

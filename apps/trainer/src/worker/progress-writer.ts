import type { Liveness, UnitProgress } from '@kdlens/core/queue';

export interface ProgressWriter {
  /** Remembers the latest progress; it reaches the database at most once per interval. */
  report(p: UnitProgress): void;
  /** Writes what is still pending and returns once no write is pending or in flight. */
  flush(): Promise<void>;
  /** Drops anything pending; later reports are ignored. */
  close(): void;
}

/**
 * Rate-limits progress writes: training reports every batch (hundreds a second on small
 * models), the UI needs a few updates a second, and each write is a round-trip to the
 * warehouse. The last report before a quiet spell is written when the interval ends (trailing
 * write), so the stored row never lags the trainer by more than one interval. Writes never
 * overlap, so they land in order.
 */
export function createProgressWriter(opts: {
  intervalMs: number;
  write: (p: UnitProgress) => Promise<Liveness>;
  onLiveness: (l: Liveness) => void;
  onError: (error: unknown) => void;
}): ProgressWriter {
  let pending: UnitProgress | undefined;
  let lastWrite = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const writeNow = (): Promise<void> => {
    const p = pending;
    if (p === undefined || closed) return Promise.resolve();
    pending = undefined;
    lastWrite = Date.now();
    inFlight = opts
      .write(p)
      .then(opts.onLiveness, opts.onError)
      .finally(() => {
        inFlight = undefined;
        if (pending !== undefined) schedule();
      });
    return inFlight;
  };

  const schedule = () => {
    if (closed || timer !== undefined || inFlight !== undefined) return;
    const wait = lastWrite + opts.intervalMs - Date.now();
    if (wait <= 0) {
      void writeNow();
      return;
    }
    timer = setTimeout(() => {
      timer = undefined;
      if (inFlight === undefined) void writeNow();
    }, wait);
  };

  return {
    report(p) {
      if (closed) return;
      pending = p;
      schedule();
    },
    async flush() {
      // A write in flight may start the next one as it ends (its `finally` schedules what was
      // reported meanwhile), so wait until nothing is pending and nothing is in flight: a flush
      // that returned with that write still out would let it land after the run's finish.
      for (;;) {
        if (timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
        if (inFlight !== undefined) await inFlight;
        else if (pending !== undefined && !closed) await writeNow();
        else return;
      }
    },
    close() {
      closed = true;
      pending = undefined;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** A caller has too many requests executing and waiting; the client gets HTTP 429 RATE_LIMITED. */
export class RateLimitedError extends Error {
  constructor(
    readonly maxConcurrent: number,
    /** Seconds the client should wait before it tries again (the Retry-After header). */
    readonly retryAfterSeconds: number,
  ) {
    super(
      `too many requests at once from this caller: at most ${maxConcurrent} run at a time (KDLENS_API_MAX_CONCURRENT); retry after ${retryAfterSeconds} s`,
    );
    this.name = 'RateLimitedError';
  }
}

export interface CallerSlotsOptions {
  /** Requests one caller may have running at once. */
  maxConcurrent: number;
  /** Requests one caller may have waiting for a slot; more are refused at once. */
  maxQueued: number;
  /** How long a request waits for a slot before it is refused. */
  queueMs: number;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

interface CallerState {
  running: number;
  waiting: Waiter[];
}

/**
 * Per-caller concurrency limit: each caller (a token id, or a client address) gets
 * `maxConcurrent` slots; a request over that waits in a short first-in-first-out queue, and is
 * refused with RateLimitedError when the queue is full or its wait runs out. One caller's burst
 * then queues behind itself while other callers keep their own slots.
 */
export class CallerSlots {
  private readonly callers = new Map<string, CallerState>();

  constructor(private readonly options: CallerSlotsOptions) {}

  /**
   * Waits for a slot of `caller`; resolves to the function that gives it back (call it exactly
   * once, when the work has really finished, not when the client stopped waiting for it).
   */
  async acquire(caller: string, signal?: AbortSignal): Promise<() => void> {
    const state = this.callers.get(caller) ?? { running: 0, waiting: [] };
    this.callers.set(caller, state);
    if (state.running < this.options.maxConcurrent) {
      state.running++;
      return this.releaser(caller, state);
    }
    if (state.waiting.length >= this.options.maxQueued || this.options.queueMs <= 0) {
      throw this.refusal();
    }
    await new Promise<void>((resolve, reject) => {
      const leave = (error: unknown) => {
        const i = state.waiting.indexOf(waiter);
        if (i >= 0) state.waiting.splice(i, 1);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () => {
        clearTimeout(waiter.timer);
        leave(signal?.reason);
      };
      const waiter: Waiter = {
        // The releasing request hands its slot over: `running` stays as it is.
        grant: () => {
          clearTimeout(waiter.timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        timer: setTimeout(() => leave(this.refusal()), this.options.queueMs),
      };
      state.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser(caller, state);
  }

  /** Requests running and waiting, over all callers (tests, diagnostics). */
  stats(): { callers: number; running: number; waiting: number } {
    let running = 0;
    let waiting = 0;
    for (const s of this.callers.values()) {
      running += s.running;
      waiting += s.waiting.length;
    }
    return { callers: this.callers.size, running, waiting };
  }

  private releaser(caller: string, state: CallerState): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = state.waiting.shift();
      if (next) {
        next.grant();
        return;
      }
      state.running--;
      // Idle callers leave no trace, so the map holds only callers with work in progress.
      if (state.running === 0) this.callers.delete(caller);
    };
  }

  private refusal(): RateLimitedError {
    return new RateLimitedError(
      this.options.maxConcurrent,
      Math.max(1, Math.ceil(this.options.queueMs / 1000)),
    );
  }
}

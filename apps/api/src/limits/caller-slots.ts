/** A caller has too many requests executing and waiting; the client gets HTTP 429 RATE_LIMITED. */
export class RateLimitedError extends Error {
  constructor(
    readonly maxConcurrent: number,
    /** Seconds the client should wait before it tries again (the Retry-After header). */
    readonly retryAfterSeconds: number,
    /** Where maxConcurrent comes from, for the message. */
    source = 'KDLENS_API_MAX_CONCURRENT',
  ) {
    super(
      `too many requests at once from this caller: at most ${maxConcurrent} run at a time (${source}); retry after ${retryAfterSeconds} s`,
    );
    this.name = 'RateLimitedError';
  }
}

/**
 * The server as a whole has as many requests executing and waiting as it takes, from all callers
 * together; the client gets HTTP 503 SERVER_BUSY. Not 429: this caller may have sent only one.
 */
export class ServerBusyError extends Error {
  constructor(
    readonly maxRunning: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `the server is busy: at most ${maxRunning} requests run at a time, all callers together (KDLENS_API_MAX_RUNNING); retry after ${retryAfterSeconds} s`,
    );
    this.name = 'ServerBusyError';
  }
}

export interface CallerSlotsOptions {
  /** Requests one caller may have running at once. */
  maxConcurrent: number;
  /** Requests one caller may have waiting for a slot; more are refused at once. */
  maxQueued: number;
  /** How long a request waits for a slot (its caller's, then the server's) before it is refused. */
  queueMs: number;
  /**
   * Requests running at once over all callers; a request that has its caller's slot waits in one
   * more queue (QUEUED_PER_SLOT × maxRunning long) for one of these. Many tokens or addresses
   * together then still cannot run unbounded work.
   */
  maxRunning: number;
  /** Requests that may wait for one of the server's maxRunning slots; more are refused at once. */
  maxQueuedServer: number;
}

/** A caller whose budget is `share` times the usual one, named in its refusals (`source`). */
export interface CallerBudget {
  share: number;
  source: string;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

/**
 * `limit` holders at once, then a first-in-first-out queue of at most `maxQueued` waiting up to
 * `queueMs` each; `refusal` makes the error for a request turned away.
 */
class SlotQueue {
  running = 0;
  readonly waiting: Waiter[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxQueued: number,
    private readonly queueMs: number,
    private readonly refusal: () => Error,
  ) {}

  get idle(): boolean {
    return this.running === 0 && this.waiting.length === 0;
  }

  async acquire(signal: AbortSignal | undefined): Promise<() => void> {
    if (this.running < this.limit) {
      this.running++;
      return this.releaser();
    }
    if (this.waiting.length >= this.maxQueued || this.queueMs <= 0) throw this.refusal();
    await new Promise<void>((resolve, reject) => {
      const leave = (error: unknown) => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
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
        timer: setTimeout(() => leave(this.refusal()), this.queueMs),
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.running--;
    };
  }
}

/**
 * Concurrency limits: each caller (a token id, or a client address) gets `maxConcurrent` slots
 * (times its budget's share); a request over that waits in a short first-in-first-out queue, and
 * is refused with RateLimitedError when the queue is full or its wait runs out. One caller's burst
 * then queues behind itself while other callers keep their own slots. A request holding its
 * caller's slot then takes one of the server's `maxRunning` (ServerBusyError when none frees up
 * in time), so that callers together are bounded too; taken in that order, one caller's excess
 * waits in its own queue and never takes places in the server's.
 */
export class CallerSlots {
  private readonly callers = new Map<string, SlotQueue>();
  private readonly server: SlotQueue;

  constructor(private readonly options: CallerSlotsOptions) {
    this.server = new SlotQueue(
      options.maxRunning,
      options.maxQueuedServer,
      options.queueMs,
      () => new ServerBusyError(options.maxRunning, this.retryAfterSeconds()),
    );
  }

  /**
   * Waits for a slot of `caller`, then one of the server's; resolves to the function that gives
   * both back (call it exactly once, when the work has really finished, not when the client
   * stopped waiting for it). A caller's budget is fixed by its first request while it has work.
   */
  async acquire(
    caller: string,
    signal?: AbortSignal,
    budget: CallerBudget = { share: 1, source: 'KDLENS_API_MAX_CONCURRENT' },
  ): Promise<() => void> {
    let queue = this.callers.get(caller);
    if (!queue) {
      const limit = budget.share * this.options.maxConcurrent;
      queue = new SlotQueue(
        limit,
        budget.share * this.options.maxQueued,
        this.options.queueMs,
        () => new RateLimitedError(limit, this.retryAfterSeconds(), budget.source),
      );
      this.callers.set(caller, queue);
    }
    const own = queue;
    // Idle callers leave no trace, so the map holds only callers with work in progress.
    const forget = () => {
      if (own.idle && this.callers.get(caller) === own) this.callers.delete(caller);
    };
    let releaseCaller: () => void;
    try {
      releaseCaller = await own.acquire(signal);
    } catch (error) {
      forget();
      throw error;
    }
    let releaseServer: () => void;
    try {
      releaseServer = await this.server.acquire(signal);
    } catch (error) {
      releaseCaller();
      forget();
      throw error;
    }
    return () => {
      releaseServer();
      releaseCaller();
      forget();
    };
  }

  /**
   * Callers with work, and requests running (holding a server slot) and waiting (for their
   * caller's slot or the server's), over all callers (tests, diagnostics).
   */
  stats(): { callers: number; running: number; waiting: number } {
    let waiting = this.server.waiting.length;
    for (const q of this.callers.values()) waiting += q.waiting.length;
    return { callers: this.callers.size, running: this.server.running, waiting };
  }

  private retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.options.queueMs / 1000));
  }
}

/** Limits on what one request, one caller and one connection may ask of the server. */
export interface ApiLimits {
  /** Deepest field nesting in one operation (KDLENS_API_MAX_DEPTH). */
  maxDepth: number;
  /** Estimated cost of one operation (KDLENS_API_MAX_COST); see operation-size.ts. */
  maxCost: number;
  /**
   * Root fields (distinct response keys, `__` meta fields not counted) in one operation
   * (KDLENS_API_MAX_ROOT_FIELDS): each alias of a root field runs its resolver, and its SQL, again.
   */
  maxRootFields: number;
  /** A request that has no answer after this long gets TIMEOUT (KDLENS_API_TIMEOUT_MS). */
  timeoutMs: number;
  /**
   * GraphQL requests one caller (a token, else a client address) may have executing at once
   * (KDLENS_API_MAX_CONCURRENT); answers from the response cache do not count. Anonymous callers
   * on this machine share one budget of LOOPBACK_SHARE times this (limits/caller-key.ts).
   */
  maxConcurrent: number;
  /**
   * GraphQL requests executing at once over all callers together (KDLENS_API_MAX_RUNNING); unset,
   * SERVER_SHARE × maxConcurrent. More wait up to queueMs, then get HTTP 503 SERVER_BUSY.
   */
  maxRunning: number;
  /**
   * How long a request over maxConcurrent waits for a slot before it gets HTTP 429 RATE_LIMITED
   * (KDLENS_API_QUEUE_MS); at most QUEUED_PER_SLOT × maxConcurrent wait per caller.
   */
  queueMs: number;
  /** Open connections, all clients together; more are closed at once (KDLENS_API_MAX_CONNECTIONS). */
  maxConnections: number;
  /**
   * A connection must send its complete request headers within this long, or it is answered 408
   * and closed (KDLENS_API_HEADERS_TIMEOUT_MS): it is what cuts off slowloris clients.
   */
  headersTimeoutMs: number;
  /** An idle kept-alive connection is closed after this long (KDLENS_API_KEEPALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
}

/**
 * Depth 20 admits graphql-js's full introspection query (depth 15 with every option, as GraphiQL
 * sends it) and every read the web UI makes (at most 6). Cost 100,000 admits that introspection
 * query (about 52,000 by operation-size.ts's estimate) and a page of 100 experiments with their
 * runs and epoch histories (about 88,000 with its SQL, root-field-cost.ts), and rejects lists
 * nested in lists in lists. The web UI asks for at most 2 root fields per operation and about 3
 * requests at once per page; 4 × 4 = 16 requests at once from all callers keep the pool's 10
 * connections busy without an unbounded queue in front of them. Node's own defaults (headers 60 s, checked every 30 s; no connection
 * limit) let 2,000 half-open connections sit for 60–80 s each (issue 12).
 */
export const defaultApiLimits: ApiLimits = {
  maxDepth: 20,
  maxCost: 100_000,
  maxRootFields: 20,
  timeoutMs: 10_000,
  maxConcurrent: 4,
  maxRunning: 16,
  queueMs: 1_000,
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

/**
 * The limits a server runs with: `set` over the defaults, where an unset maxRunning follows
 * maxConcurrent (so KDLENS_API_MAX_CONCURRENT=8 alone also raises the server-wide cap).
 */
export function resolveApiLimits(set: Partial<ApiLimits> = {}): ApiLimits {
  const maxConcurrent = set.maxConcurrent ?? defaultApiLimits.maxConcurrent;
  return {
    ...defaultApiLimits,
    ...set,
    maxRunning: set.maxRunning ?? SERVER_SHARE * maxConcurrent,
  };
}

/**
 * Anonymous requests from this machine (any 127.x.x.x, ::1) are one caller with this many times
 * the usual budget: with anonymous read on, the web app's server sends every anonymous page's
 * queries (several at once per page) from 127.0.0.1, and local scripts share its bucket.
 */
export const LOOPBACK_SHARE = 4;

/**
 * The server-wide cap, in per-caller budgets: four callers busy at once fill it. The API's pool
 * has 10 database connections, so more running at once would only queue at the pool.
 */
export const SERVER_SHARE = 4;

/** Largest `first` a connection accepts; larger is BAD_USER_INPUT, not a silent clamp. */
export const MAX_PAGE_SIZE = 100;

/**
 * Most ids `runs(ids:)` accepts: a comparison of learning curves reads every listed run's epoch
 * history, and 24 lines are already more than a chart can show apart.
 */
export const MAX_RUNS_BY_ID = 24;

/** Requests waiting for a slot, per caller, per slot: a burst queues briefly instead of failing. */
export const QUEUED_PER_SLOT = 4;

/** Node's default is 2,000; no client of this API sends more than a dozen. */
export const MAX_HEADERS_COUNT = 100;

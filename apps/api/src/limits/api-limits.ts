/** Limits on what one request may ask of the server. */
export interface ApiLimits {
  /** Deepest field nesting in one operation (KDLENS_API_MAX_DEPTH). */
  maxDepth: number;
  /** Estimated fields resolved by one operation (KDLENS_API_MAX_COST); see cost-limit.rule.ts. */
  maxCost: number;
  /** A request that has no answer after this long gets TIMEOUT (KDLENS_API_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * Depth 20 admits graphql-js's full introspection query (depth 15 with every option, as GraphiQL
 * sends it) and every read the web UI makes (at most 6). Cost 100,000 admits that introspection
 * query (about 52,000 by operation-size.ts's estimate) and a page of 100 experiments with their
 * runs and epoch histories (about 85,000), and rejects lists nested in lists in lists.
 */
export const defaultApiLimits: ApiLimits = { maxDepth: 20, maxCost: 100_000, timeoutMs: 10_000 };

/** Largest `first` a connection accepts; larger is BAD_USER_INPUT, not a silent clamp. */
export const MAX_PAGE_SIZE = 100;

/**
 * What Apollo tells the adapter about a request, through the context: Apollo hands resolvers and
 * plugins a shallow copy of the context object, so the record is an object both copies share.
 * Its own module, importing nothing: the context (context.ts) holds one, and the response cache
 * (response-cache.ts) imports the context's type, so the record cannot live in either without an
 * import cycle.
 */
export interface CacheTrace {
  /** The answer had no errors at any stage (parse, validation, execution): it may be stored. */
  clean: boolean;
  /** The operation was a mutation: the data version is read afresh after it. */
  mutation: boolean;
  /** The name of the operation Apollo ran (null: unnamed, or none resolved), for /metrics. */
  operation: string | null;
}

export const newCacheTrace = (): CacheTrace => ({ clean: false, mutation: false, operation: null });

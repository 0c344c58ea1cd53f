import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  stripIgnoredCharacters,
} from 'graphql';
import { rootFields } from '../auth/read-gate.plugin.ts';
import type { ApiContext } from '../context.ts';
import { type DataVersion, DataVersionSource } from './data-version.ts';

export interface ResponseCacheOptions {
  /** Bytes of response bodies kept (least recently used leave first). */
  maxBytes: number;
  /**
   * How stale an answer may be: the data version is read at most once per this many ms, so a
   * write by another process (a worker's progress, a CLI import) shows at most this much later.
   * Mutations through this server are seen at once.
   */
  versionTtlMs: number;
}

export const defaultResponseCacheOptions: ResponseCacheOptions = {
  maxBytes: 64 * 1024 * 1024,
  versionTtlMs: 25,
};

/**
 * Root fields whose answer depends only on the warehouse and the operation (and on whether the
 * caller may see server paths, which is part of the key), so one caller's answer may be served
 * to any other caller allowed to read with the same view. An allowlist: a new
 * field stays uncached until someone decides (response-cache.test.ts fails until then). Left out
 * on purpose: `viewer` (the caller), `apiTokens` (admin only) and `presets` (read from files,
 * which the data version does not cover).
 */
export const cacheableRootFields: ReadonlySet<string> = new Set([
  'classComparison',
  'disagreement',
  'groupFairness',
  'individualFairness',
  'significanceSweep',
  'experiments',
  'experiment',
  'run',
  '__typename',
  '__schema',
  '__type',
]);

export interface CachedResponse {
  /** Apollo's headers of the first answer (content type), replayed on every hit. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  /** Requests the cache did not apply to: mutations, viewer, GET, failed authentication, … */
  bypasses: number;
  entries: number;
  bytes: number;
}

/**
 * What Apollo tells the adapter about a request, through the context: Apollo hands resolvers and
 * plugins a shallow copy of the context object, so the record is an object both copies share.
 */
export interface CacheTrace {
  /** The answer had no errors at any stage (parse, validation, execution): it may be stored. */
  clean: boolean;
  /** The operation was a mutation: the data version is read afresh after it. */
  mutation: boolean;
}

export const newCacheTrace = (): CacheTrace => ({ clean: false, mutation: false });

/** Apollo's half of the response cache: fills the request's CacheTrace. */
export function cacheTracePlugin(): ApolloServerPlugin<ApiContext> {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ operation, contextValue }) => {
        if (operation?.operation === 'mutation') contextValue.cacheTrace.mutation = true;
      },
      willSendResponse: async ({ response, contextValue }) => {
        contextValue.cacheTrace.clean =
          response.body.kind === 'single' && response.body.singleResult.errors === undefined;
      },
    }),
  };
}

/** Query texts whose cacheability is remembered; past this the oldest is parsed again. */
const MAX_DOCUMENTS = 1000;
/** One answer may take at most this share of the cache, so a huge one cannot flush the rest. */
const MAX_ENTRY_SHARE = 1 / 4;

const requestBodyKeys = new Set(['query', 'operationName', 'variables']);

/**
 * Whole-response cache for read-only GraphQL operations, in front of Apollo (see server.ts). The
 * key is a hash of the operation (query text without ignored characters, operation name,
 * variables with sorted keys, Accept header); an entry is valid only for the data version it was
 * computed at, and all entries are dropped when the version changes. Only answers without errors
 * are kept. Who may read is decided before the cache is asked (server.ts): every cacheable field
 * reads the same for every caller allowed to read at all, except that server paths show only to
 * operators, so server.ts prefixes the key with the caller's path audience.
 */
export class ResponseCache {
  readonly versions: DataVersionSource;
  private readonly entries = new Map<string, CachedResponse>();
  private readonly documents = new Map<string, string | null>();
  private bytes = 0;
  private entriesVersion: string | undefined;
  private entriesReadStartedAt = Number.NEGATIVE_INFINITY;
  private readonly counts = { hits: 0, misses: 0, bypasses: 0 };
  /** Answers being computed, by version and key: concurrent misses wait for the first. */
  private readonly flights = new Map<string, Promise<CachedResponse | undefined>>();

  constructor(
    readVersion: () => Promise<string>,
    private readonly options: ResponseCacheOptions,
    private readonly parseOptions: { maxTokens: number },
  ) {
    this.versions = new DataVersionSource(readVersion, options.versionTtlMs);
  }

  /**
   * The cache key of a parsed POST body, or null when the request must bypass the cache: not a
   * single `query` operation, a root field outside cacheableRootFields, extensions (persisted
   * queries), or anything unexpected.
   */
  keyOf(body: unknown, accept: string | undefined): string | null {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
    const fields = body as Record<string, unknown>;
    for (const k of Object.keys(fields)) if (!requestBodyKeys.has(k)) return null;
    const { query, operationName, variables } = fields;
    if (typeof query !== 'string') return null;
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
      return null;
    if (variables !== undefined && variables !== null && typeof variables !== 'object') return null;
    const name = operationName ?? '';
    const normalized = this.cacheableText(query, name);
    if (normalized === null) return null;
    return createHash('sha256')
      .update(normalized)
      .update('\0')
      .update(name)
      .update('\0')
      .update(stableJson(variables ?? {}))
      .update('\0')
      .update(accept ?? '')
      .digest('base64');
  }

  /** The stored answer for `key` at `version`, marked most recently used. */
  get(key: string, version: DataVersion): CachedResponse | undefined {
    if (!this.holds(version)) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** Keeps an answer computed at `version`, unless a newer version has been seen since. */
  set(key: string, version: DataVersion, entry: CachedResponse): void {
    if (!this.holds(version)) return;
    const size = entry.body.length + key.length;
    if (size > this.options.maxBytes * MAX_ENTRY_SHARE) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.body.length + key.length;
    }
    this.entries.set(key, entry);
    this.bytes += size;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.body.length + k.length;
    }
  }

  /**
   * The answer another request is computing for `key` at `version`, if any: after a version
   * change, 50 clients asking the same thing then cost one execution instead of 50. Resolves to
   * undefined when that answer may not be stored (an error); the waiter then computes its own.
   */
  inFlight(key: string, version: DataVersion): Promise<CachedResponse | undefined> | undefined {
    return this.flights.get(`${version.value}\0${key}`);
  }

  /**
   * Marks `key` at `version` as being computed. The returned function lands the flight with the
   * stored answer or undefined; only its first call counts, so a caller may also call it from a
   * `finally` to make sure waiters are never left hanging.
   */
  beginFlight(key: string, version: DataVersion): (entry: CachedResponse | undefined) => void {
    const id = `${version.value}\0${key}`;
    let land: (entry: CachedResponse | undefined) => void = () => {};
    this.flights.set(
      id,
      new Promise((resolve) => {
        land = resolve;
      }),
    );
    let landed = false;
    return (entry) => {
      if (landed) return;
      landed = true;
      this.flights.delete(id);
      land(entry);
    };
  }

  count(outcome: 'hit' | 'miss' | 'bypass'): void {
    if (outcome === 'hit') this.counts.hits++;
    else if (outcome === 'miss') this.counts.misses++;
    else this.counts.bypasses++;
  }

  stats(): ResponseCacheStats {
    return { ...this.counts, entries: this.entries.size, bytes: this.bytes };
  }

  /**
   * Whether the entries are those of `version`. A version read later than the entries' replaces
   * them all (the data changed); one read earlier (a request that finished late) neither reads
   * nor writes them.
   */
  private holds(version: DataVersion): boolean {
    if (version.value === this.entriesVersion) return true;
    if (version.readStartedAt < this.entriesReadStartedAt) return false;
    this.entries.clear();
    this.bytes = 0;
    this.entriesVersion = version.value;
    this.entriesReadStartedAt = version.readStartedAt;
    return true;
  }

  /** The query text without ignored characters when its operation may be cached, else null. */
  private cacheableText(query: string, operationName: string): string | null {
    const memoKey = `${operationName}\0${query}`;
    const known = this.documents.get(memoKey);
    if (known !== undefined) return known;
    let text: string | null = null;
    try {
      const document = parse(query, { maxTokens: this.parseOptions.maxTokens });
      const operation = selectOperation(document, operationName);
      if (operation?.operation === 'query' && readsOnlyCacheableFields(document, operation)) {
        text = stripIgnoredCharacters(query);
      }
    } catch {
      // A document that does not parse is Apollo's to report; it is never cached.
      text = null;
    }
    if (this.documents.size >= MAX_DOCUMENTS) {
      const oldest = this.documents.keys().next().value;
      if (oldest !== undefined) this.documents.delete(oldest);
    }
    this.documents.set(memoKey, text);
    return text;
  }
}

/** The operation Apollo will run: the named one, or the only one. */
function selectOperation(
  document: DocumentNode,
  operationName: string,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName === '') return operations.length === 1 ? operations[0] : undefined;
  return operations.find((o) => o.name?.value === operationName);
}

function readsOnlyCacheableFields(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  const fields = rootFields(operation.selectionSet, fragments, new Set());
  return fields.length > 0 && fields.every((f) => cacheableRootFields.has(f));
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` name one cache entry. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

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
  /** Bytes kept in all: response bodies, their headers and keys (least recently used leave first). */
  maxBytes: number;
  /** A larger answer is served but not kept, so one huge answer cannot flush the rest. */
  maxEntryBytes: number;
  /**
   * A query text, or its variables as JSON, longer than this (in characters) bypasses the cache:
   * nobody repeats such texts, and remembering them was how 1,100 distinct 1 MB queries kept
   * 1.2 GB (issue 12).
   */
  maxQueryChars: number;
  /**
   * How stale an answer may be: the data version is read at most once per this many ms, so a
   * write by another process (a worker's progress, a CLI import) shows at most this much later.
   * Mutations through this server are seen at once.
   */
  versionTtlMs: number;
}

export const defaultResponseCacheOptions: ResponseCacheOptions = {
  maxBytes: 64 * 1024 * 1024,
  maxEntryBytes: 8 * 1024 * 1024,
  maxQueryChars: 16 * 1024,
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
  'classGroupMatrix',
  'disagreement',
  'groupFairness',
  'individualFairness',
  'intersectionalFairness',
  'significanceSweep',
  'experiments',
  'experiment',
  'run',
  // An experiment or a run: the same warehouse data as the two fields above.
  'node',
  '__typename',
  '__schema',
  '__type',
]);

export interface CachedResponse {
  /** Apollo's headers of the first answer (content type), replayed on every hit. */
  headers: Record<string, string>;
  body: Buffer;
  /** The operation's name, so a hit is counted under it in /metrics (http/metrics.ts). */
  operation?: string | null;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  /** Requests the cache did not apply to: mutations, viewer, GET, failed authentication, … */
  bypasses: number;
  entries: number;
  /** Counted by entryBytes, at most maxBytes. */
  bytes: number;
  /** Query texts whose cacheability is remembered (as hashes, at most 1000). */
  documents: number;
}

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

/** Query texts whose cacheability is remembered (by hash); past this the oldest is parsed again. */
const MAX_DOCUMENTS = 1000;
/** One answer may take at most this share of the cache, so a huge one cannot flush the rest. */
const MAX_ENTRY_SHARE = 1 / 4;
/**
 * What an entry costs beyond its bytes: the Map slot, the entry and headers objects, the Buffer
 * object. Measured on Node 20 with 100,000 entries: about 300 bytes beyond key, headers and body.
 */
export const ENTRY_OVERHEAD_BYTES = 512;

/** Bytes an entry is counted for: key, header names and values, body and the fixed overhead. */
export function entryBytes(key: string, entry: CachedResponse): number {
  let headers = 0;
  for (const [name, value] of Object.entries(entry.headers)) headers += name.length + value.length;
  return key.length + headers + entry.body.length + ENTRY_OVERHEAD_BYTES;
}

const requestBodyKeys = new Set(['query', 'operationName', 'variables']);

/**
 * Whole-response cache for read-only GraphQL operations, in front of Apollo (see server.ts). The
 * key is a SHA-256 of the operation (query text without ignored characters, operation name,
 * variables with sorted keys, Accept header); no query text is kept, and memory is bounded by
 * bytes (entryBytes: keys, headers and bodies). An entry is valid only for the data version it was
 * computed at, and all entries are dropped when the version changes. Only answers without errors
 * are kept. Who may read is decided before the cache is asked (server.ts): every cacheable field
 * reads the same for every caller allowed to read at all, except that server paths show only to
 * operators, so server.ts prefixes the key with the caller's path audience.
 */
export class ResponseCache {
  readonly versions: DataVersionSource;
  private readonly entries = new Map<string, CachedResponse>();
  /** SHA-256 of (operation name, query text) → SHA-256 of the normalised text, or null. */
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
   * queries), a query or variables text over maxQueryChars, or anything unexpected.
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
    if (query.length > this.options.maxQueryChars) return null;
    const name = operationName ?? '';
    if (name.length > this.options.maxQueryChars) return null;
    const variablesText = stableJson(variables ?? {});
    if (variablesText.length > this.options.maxQueryChars) return null;
    const normalized = this.cacheableTextHash(query, name);
    if (normalized === null) return null;
    return createHash('sha256')
      .update(normalized)
      .update('\0')
      .update(name)
      .update('\0')
      .update(variablesText)
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
    const size = entryBytes(key, entry);
    if (size > this.options.maxEntryBytes || size > this.options.maxBytes * MAX_ENTRY_SHARE) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= entryBytes(key, old);
    }
    this.entries.set(key, { ...entry, body: ownBytes(entry.body) });
    this.bytes += size;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= entryBytes(k, e);
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
    return {
      ...this.counts,
      entries: this.entries.size,
      bytes: this.bytes,
      documents: this.documents.size,
    };
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

  /**
   * A hash of the query text without ignored characters when its operation may be cached, else
   * null. Remembered by a hash of the text, never the text itself.
   */
  private cacheableTextHash(query: string, operationName: string): string | null {
    const memoKey = createHash('sha256')
      .update(operationName)
      .update('\0')
      .update(query)
      .digest('base64');
    const known = this.documents.get(memoKey);
    if (known !== undefined) return known;
    let text: string | null = null;
    try {
      const document = parse(query, { maxTokens: this.parseOptions.maxTokens });
      const operation = selectOperation(document, operationName);
      if (operation?.operation === 'query' && readsOnlyCacheableFields(document, operation)) {
        text = createHash('sha256').update(stripIgnoredCharacters(query)).digest('base64');
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

/**
 * The bytes in a buffer of their own. Node cuts small buffers out of shared 8 KiB slabs, and a
 * kept slice would keep its whole slab alive, uncounted.
 */
function ownBytes(body: Buffer): Buffer {
  if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength) return body;
  const own = Buffer.allocUnsafeSlow(body.byteLength);
  body.copy(own);
  return own;
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

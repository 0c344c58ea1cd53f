import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { WarehouseDataVersion } from '@kdlens/core/db';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  stripIgnoredCharacters,
  TypeInfo,
  visit,
  visitWithTypeInfo,
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
  'compareExperiments',
  'disagreement',
  'disagreementPairs',
  'groupFairness',
  'individualFairness',
  'intersectionalFairness',
  'significanceSweep',
  'experiments',
  'experiment',
  'run',
  // Runs by id: the same rows as `run`. Its tier follows the fields asked for like any other's:
  // learning curves (`history`) are liveness, so a comparison of running units is kept under the
  // `all` version and never shows an epoch later than versionTtlMs.
  'runs',
  // An experiment or a run: the same warehouse data as the two fields above.
  'node',
  '__typename',
  '__schema',
  '__type',
]);

/**
 * Which data version an answer is kept under (core's readWarehouseDataVersion): `results` for
 * operations that read no liveness field, so a running study's progress and heartbeats do not
 * throw them away; `all` for the others, so liveness is never older than versionTtlMs.
 */
export type CacheTier = keyof WarehouseDataVersion;

/**
 * The fields of the row types whose answers the results version covers. Every other field of
 * these types is liveness (progress, heartbeats, claims, live training numbers, errors of a
 * requeued unit), which a worker rewrites several times a second: an operation that selects one
 * is kept under the `all` version. Other types hold no liveness (Arm, ClassComparison, … come
 * from stored results). An allowlist beside `liveFieldsByType`: response-cache.test.ts fails
 * until a new field of Run or Experiment is put in one of them.
 */
export const resultFieldsByType: Readonly<Record<string, ReadonlySet<string>>> = {
  // Identity never changes; classAccuracy and classNames come from runs.summary, written when
  // the run finishes (with finished_at, which the results version hashes).
  Run: new Set([
    'id',
    'experimentId',
    'role',
    'temperature',
    'seed',
    'architecture',
    'label',
    'classAccuracy',
    'classNames',
    'finishedAt',
    'createdAt',
  ]),
  // The experiments row, its planned runs (identity only), its test set and its study summary.
  // The results version hashes the row's xmin, which changes as a study starts and ends (status,
  // updatedAt) and also at every annotation edit (updateExperimentAnnotations writes tags, note
  // and updatedAt): such an edit drops every answer kept under `results`, analyses included,
  // though they read neither tags nor note. Correct (an edit is visible at once), not cheap.
  Experiment: new Set([
    'id',
    'name',
    'dataset',
    'status',
    // Written by updateExperimentAnnotations, a mutation: the experiments row's xmin changes.
    'tags',
    'note',
    'createdAt',
    'updatedAt',
    'spec',
    'specJson',
    'runs',
    'temperatures',
    'seeds',
    'teacherArchitecture',
    'studentArchitecture',
    'classNames',
    'sensitiveAttributes',
    'testSetDigest',
    'arms',
    // Columns of study_summaries, written with the summary.
    'headline',
  ]),
};

/** What a worker rewrites while it trains: the complement of resultFieldsByType. */
export const liveFieldsByType: Readonly<Record<string, ReadonlySet<string>>> = {
  Run: new Set([
    'status',
    'progress',
    'epoch',
    'loss',
    'accuracy',
    'imagesPerSec',
    'etaSeconds',
    'history',
    'attempt',
    'worker',
    'heartbeatAt',
    'startedAt',
    'updatedAt',
    'error',
    'backend',
    // Set when a distilled unit starts, like backend.
    'teacherOutputs',
  ]),
  Experiment: new Set(['progress']),
};

/** A cache entry's key and the version it is kept under. */
export interface CacheKey {
  key: string;
  tier: CacheTier;
}

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

/** The entries kept under one tier's version. */
interface Partition {
  entries: Map<string, CachedResponse>;
  version: string | undefined;
  readStartedAt: number;
}

/**
 * Whole-response cache for read-only GraphQL operations, in front of Apollo (see server.ts). The
 * key is a SHA-256 of the operation (query text without ignored characters, operation name,
 * variables with sorted keys, Accept header); no query text is kept, and memory is bounded by
 * bytes (entryBytes: keys, headers and bodies). An entry is valid only for the data version it was
 * computed at, and a tier's entries are dropped when its version changes: an operation that reads
 * no liveness field (resultFieldsByType) is kept under the results version, which a running
 * study's progress and heartbeats leave alone; any other under the version of every write. Only
 * answers without errors are kept. Who may read is decided before the cache is asked (server.ts):
 * every cacheable field reads the same for every caller allowed to read at all, except that
 * server paths show only to operators, so server.ts prefixes the key with the caller's path
 * audience.
 */
export class ResponseCache {
  readonly versions: DataVersionSource;
  private readonly partitions: Record<CacheTier, Partition> = {
    // Eviction takes liveness answers first (see set): they are the shortest-lived.
    all: { entries: new Map(), version: undefined, readStartedAt: Number.NEGATIVE_INFINITY },
    results: { entries: new Map(), version: undefined, readStartedAt: Number.NEGATIVE_INFINITY },
  };
  /** SHA-256 of (operation name, query text) → the normalised text's hash and tier, or null. */
  private readonly documents = new Map<string, { hash: string; tier: CacheTier } | null>();
  private bytes = 0;
  private readonly counts = { hits: 0, misses: 0, bypasses: 0 };
  /** Answers being computed, by version and key: concurrent misses wait for the first. */
  private readonly flights = new Map<string, Promise<CachedResponse | undefined>>();

  constructor(
    readVersion: () => Promise<WarehouseDataVersion>,
    private readonly options: ResponseCacheOptions,
    private readonly parseOptions: {
      maxTokens: number;
      /**
       * The API's schema, to tell which fields an operation reads; without it every operation is
       * kept under the `all` version.
       */
      schema?: GraphQLSchema;
    },
  ) {
    this.versions = new DataVersionSource(readVersion, options.versionTtlMs);
  }

  /**
   * The cache key of a parsed POST body, or null when the request must bypass the cache: not a
   * single `query` operation, a root field outside cacheableRootFields, extensions (persisted
   * queries), a query or variables text over maxQueryChars, or anything unexpected.
   */
  keyOf(body: unknown, accept: string | undefined): CacheKey | null {
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
    const normalized = this.cacheableText(query, name);
    if (normalized === null) return null;
    const key = createHash('sha256')
      .update(normalized.hash)
      .update('\0')
      .update(name)
      .update('\0')
      .update(variablesText)
      .update('\0')
      .update(accept ?? '')
      .digest('base64');
    return { key, tier: normalized.tier };
  }

  /** The stored answer for `key` at `version`, marked most recently used. */
  get(key: CacheKey, version: DataVersion): CachedResponse | undefined {
    const partition = this.holding(key.tier, version);
    if (!partition) return undefined;
    const entry = partition.entries.get(key.key);
    if (!entry) return undefined;
    partition.entries.delete(key.key);
    partition.entries.set(key.key, entry);
    return entry;
  }

  /** Keeps an answer computed at `version`, unless a newer version has been seen since. */
  set(key: CacheKey, version: DataVersion, entry: CachedResponse): void {
    const partition = this.holding(key.tier, version);
    if (!partition) return;
    const size = entryBytes(key.key, entry);
    if (size > this.options.maxEntryBytes || size > this.options.maxBytes * MAX_ENTRY_SHARE) return;
    const old = partition.entries.get(key.key);
    if (old) {
      partition.entries.delete(key.key);
      this.bytes -= entryBytes(key.key, old);
    }
    partition.entries.set(key.key, { ...entry, body: ownBytes(entry.body) });
    this.bytes += size;
    // Least recently used first, liveness answers before results answers.
    for (const p of [this.partitions.all, this.partitions.results]) {
      for (const [k, e] of p.entries) {
        if (this.bytes <= this.options.maxBytes) return;
        p.entries.delete(k);
        this.bytes -= entryBytes(k, e);
      }
    }
  }

  /**
   * The answer another request is computing for `key` at `version`, if any: after a version
   * change, 50 clients asking the same thing then cost one execution instead of 50. Resolves to
   * undefined when that answer may not be stored (an error); the waiter then computes its own.
   */
  inFlight(key: CacheKey, version: DataVersion): Promise<CachedResponse | undefined> | undefined {
    return this.flights.get(flightId(key, version));
  }

  /**
   * Marks `key` at `version` as being computed. The returned function lands the flight with the
   * stored answer or undefined; only its first call counts, so a caller may also call it from a
   * `finally` to make sure waiters are never left hanging.
   */
  beginFlight(key: CacheKey, version: DataVersion): (entry: CachedResponse | undefined) => void {
    const id = flightId(key, version);
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
      entries: this.partitions.all.entries.size + this.partitions.results.entries.size,
      bytes: this.bytes,
      documents: this.documents.size,
    };
  }

  /**
   * The tier's entries if they are those of `version`. A version read later than the entries'
   * replaces them all (the data changed); one read earlier (a request that finished late)
   * neither reads nor writes them.
   */
  private holding(tier: CacheTier, version: DataVersion): Partition | undefined {
    const partition = this.partitions[tier];
    const value = version[tier];
    if (value === partition.version) return partition;
    if (version.readStartedAt < partition.readStartedAt) return undefined;
    for (const [k, e] of partition.entries) this.bytes -= entryBytes(k, e);
    partition.entries.clear();
    partition.version = value;
    partition.readStartedAt = version.readStartedAt;
    return partition;
  }

  /**
   * A hash of the query text without ignored characters, and the tier it is kept under, when its
   * operation may be cached, else null. Remembered by a hash of the text, never the text itself.
   */
  private cacheableText(
    query: string,
    operationName: string,
  ): { hash: string; tier: CacheTier } | null {
    const memoKey = createHash('sha256')
      .update(operationName)
      .update('\0')
      .update(query)
      .digest('base64');
    const known = this.documents.get(memoKey);
    if (known !== undefined) return known;
    let text: { hash: string; tier: CacheTier } | null = null;
    try {
      const document = parse(query, { maxTokens: this.parseOptions.maxTokens });
      const operation = selectOperation(document, operationName);
      if (operation?.operation === 'query' && readsOnlyCacheableFields(document, operation)) {
        text = {
          hash: createHash('sha256').update(stripIgnoredCharacters(query)).digest('base64'),
          tier:
            this.parseOptions.schema && !readsLiveness(this.parseOptions.schema, document)
              ? 'results'
              : 'all',
        };
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

const flightId = (key: CacheKey, version: DataVersion) =>
  `${key.tier}\0${version[key.tier]}\0${key.key}`;

/**
 * Whether the document selects a field of Run or Experiment outside resultFieldsByType, in any
 * of its operations or fragments (one unused by the operation counts too: rare, and only costs
 * caching under the stricter version). Fields the schema does not know count as liveness; Apollo
 * refuses such a document anyway.
 */
export function readsLiveness(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let live = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const name = node.name.value;
        if (name.startsWith('__')) return;
        const parent = typeInfo.getParentType();
        if (!parent || typeInfo.getFieldDef() === null) {
          live = true;
          return;
        }
        const allowed = resultFieldsByType[parent.name];
        if (allowed && !allowed.has(name)) live = true;
      },
    }),
  );
  return live;
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

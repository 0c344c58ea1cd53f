import http from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { KdlensError, type Logger } from '@kdlens/core';
import { type Database, isDatabaseUnavailable, warehouseReadiness } from '@kdlens/core/db';
import { readQueueGauges } from '@kdlens/core/queue';
import { studyCacheFor } from './analysis/study-cache.ts';
import { foreignHostRefusal } from './auth/host-gate.ts';
import { isLoopbackAddress } from './auth/loopback.ts';
import { readGatePlugin } from './auth/read-gate.plugin.ts';
import type { Caller } from './auth/request-auth.ts';
import { resolveCaller } from './auth/resolve-caller.ts';
import { pathAudience } from './auth/server-paths.ts';
import { type ApiContext, createContext } from './context.ts';
import type { ApiControl } from './control/api-control.ts';
import { databaseUnavailable } from './errors/api-error.ts';
import { databaseUnavailablePlugin } from './errors/database-unavailable.plugin.ts';
import { createFormatError } from './errors/format-error.ts';
import {
  CompiledExecutor,
  type CompiledExecutorStats,
  defaultCompiledExecutorOptions,
} from './execution/compiled-executor.ts';
import { handleExport, sendExportFailure } from './export/export.route.ts';
import { ExportGate } from './export/export-gate.ts';
import { EXPORT_PREFIX } from './export/export-path.ts';
import { newCacheTrace } from './http/cache-trace.ts';
import { warehouseDataVersion } from './http/data-version.ts';
import { BoundedDocumentStore } from './http/document-store.ts';
import { ApiMetrics, operationNamePlugin } from './http/metrics.ts';
import { BodyTooDeepError, BodyTooLargeError, readBody } from './http/read-body.ts';
import {
  type CachedResponse,
  cacheTracePlugin,
  defaultResponseCacheOptions,
  ResponseCache,
  type ResponseCacheOptions,
  type ResponseCacheStats,
} from './http/response-cache.ts';
import { apiSecurityHeaders } from './http/security-headers.ts';
import { sendError as sendJsonError } from './http/send-error.ts';
import { sharedReadiness } from './http/shared-readiness.ts';
import {
  type ApiLimits,
  MAX_HEADERS_COUNT,
  QUEUED_PER_SLOT,
  resolveApiLimits,
} from './limits/api-limits.ts';
import { callerKey } from './limits/caller-key.ts';
import { CallerSlots, RateLimitedError, ServerBusyError } from './limits/caller-slots.ts';
import { RequestTimeoutError, withTimeout } from './limits/request-timeout.ts';
import { sizeLimitRule } from './limits/size-limit.rule.ts';
import { unstorableInputPlugin } from './limits/unstorable-input.plugin.ts';
import { buildApiSchema } from './schema/build-schema.ts';

export interface ApiServer {
  url: string;
  /** Hits, misses and size of the response cache; null when it is off. */
  cacheStats(): ResponseCacheStats | null;
  /** What the server holds in memory and in flight: caches, per-caller slots, connections. */
  stats(): ApiServerStats;
  stop(): Promise<void>;
}

export interface ApiServerStats {
  responseCache: ResponseCacheStats | null;
  /** Apollo's parsed documents (http/document-store.ts). */
  documentStore: { documents: number; bytes: number };
  /** Queries compiled by graphql-jit (execution/compiled-executor.ts); null when that is off. */
  compiledQueries: CompiledExecutorStats | null;
  /**
   * Callers with work, requests executing (all callers: at most maxRunning) and requests waiting
   * for their caller's slot or the server's (limits/caller-slots.ts).
   */
  callers: { callers: number; running: number; waiting: number };
  /** Connections closed at once because maxConnections were open. */
  droppedConnections: number;
}

export interface ApiServerOptions {
  db: Database;
  log: Logger;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /**
   * Let requests without a token read (KDLENS_ALLOW_ANONYMOUS_READ). Honoured only when the
   * server is bound to a loopback address; mutations always need a token.
   */
  allowAnonymousRead?: boolean;
  /** Launch, cancel and import; without it the server is read-only. Closed when the server stops. */
  control?: ApiControl;
  /** Unset ones take defaultApiLimits (resolveApiLimits). */
  limits?: Partial<ApiLimits>;
  /** Repeated reads answered from memory (http/response-cache.ts); false turns it off. */
  responseCache?: Partial<ResponseCacheOptions> | false;
  /**
   * The server's own folders (data roots, KDLENS_HOME, the working directory): readers who may
   * not see server paths see anything below them as the data set's name (auth/server-paths.ts).
   */
  serverFolders?: readonly string[];
  /** KDLENS_METRICS_TOKEN: lets a scraper off this machine read /metrics (http/metrics.ts). */
  metricsToken?: string;
  /**
   * Run repeated queries compiled by graphql-jit (execution/compiled-executor.ts); false runs
   * every operation on graphql-js's executor (the read bench compares the two).
   */
  compileQueries?: boolean;
}

const BODY_LIMIT = 1024 * 1024;
/**
 * Parsed documents Apollo keeps, by estimated bytes (http/document-store.ts). Texts longer than
 * the response cache's maxQueryChars are parsed afresh each time: a client that repeats a 1 MB
 * query pays for it, instead of the server keeping it.
 */
const DOCUMENT_STORE_BYTES = 32 * 1024 * 1024;
/**
 * graphql-js parses recursively and some validation rules are quadratic in the document, so a
 * 1 MB body of `{a{a{a…` could stall the event loop before any limit rule runs. 20,000 tokens is
 * 20 times the standard introspection query.
 */
const MAX_TOKENS = 20_000;

/**
 * Serves GraphQL at /graphql, downloads of result tables at /export/<experiment>/<table>.<format>
 * (export/export.route.ts), a liveness probe at /healthz (the process answers), a readiness probe
 * at /readyz (the database answers and has this build's migrations) and Prometheus metrics at
 * /metrics (http/metrics.ts, for this machine or KDLENS_METRICS_TOKEN). Our own small HTTP adapter
 * (instead of Apollo's standalone server) so that a busy port becomes a clear error and other
 * endpoints can live beside GraphQL.
 */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const schema = await buildApiSchema();
  const limits = resolveApiLimits(opts.limits);
  const httpServer = http.createServer({
    headersTimeout: limits.headersTimeoutMs,
    // A backstop behind our own deadline (timeoutMs), which covers reading the body.
    requestTimeout: limits.headersTimeoutMs + limits.timeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks both timeouts only this often (30 s by default), so a slowloris client held
    // its connection for up to headersTimeout + 30 s.
    connectionsCheckingInterval: Math.min(1000, Math.max(100, limits.headersTimeoutMs / 4)),
  });
  httpServer.maxHeadersCount = MAX_HEADERS_COUNT;
  // No maxRequestsPerSocket: past it Node answers 503 to every request a pipelining client has
  // already sent on that socket (the read bench's GraphQL side was 90 % 503s), and the idle and
  // headers timeouts already bound how long a connection is held.
  // Past this Node destroys each new socket at once (and emits 'drop').
  httpServer.maxConnections = limits.maxConnections;
  let droppedConnections = 0;
  httpServer.on('drop', () => {
    droppedConnections++;
  });
  const cacheOptions = { ...defaultResponseCacheOptions, ...opts.responseCache };
  const documentStore = new BoundedDocumentStore({
    maxBytes: DOCUMENT_STORE_BYTES,
    maxQueryChars: cacheOptions.maxQueryChars,
  });
  const slots = new CallerSlots({
    maxConcurrent: limits.maxConcurrent,
    maxQueued: QUEUED_PER_SLOT * limits.maxConcurrent,
    queueMs: limits.queueMs,
    maxRunning: limits.maxRunning,
    maxQueuedServer: QUEUED_PER_SLOT * limits.maxRunning,
  });
  const readiness = sharedReadiness(() => warehouseReadiness(opts.db));
  const cache =
    opts.responseCache === false
      ? undefined
      : new ResponseCache(warehouseDataVersion(opts.db), cacheOptions, {
          maxTokens: MAX_TOKENS,
          schema,
        });
  const metrics = new ApiMetrics(
    {
      cacheStats: () => cache?.stats() ?? null,
      readiness,
      queueGauges: () => readQueueGauges(opts.db),
    },
    opts.metricsToken,
  );
  const compiled =
    opts.compileQueries === false
      ? undefined
      : new CompiledExecutor(schema, defaultCompiledExecutorOptions);
  const apollo = new ApolloServer<ApiContext>({
    ...(compiled ? { gateway: compiled.gateway() } : { schema }),
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Whoever starts the server stops it (the CLI on Ctrl-C through onShutdown); Apollo's own
    // SIGINT handler would race that and re-send the signal.
    stopOnTerminationSignals: false,
    formatError: createFormatError(opts.log),
    documentStore,
    validationRules: [sizeLimitRule(limits)],
    parseOptions: { maxTokens: MAX_TOKENS },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No field sets cache hints and the HTTP cache-control header is not used (the response
      // cache is ours); the plugin's per-field hook alone cost a third of a 1000-row answer.
      ApolloServerPluginCacheControlDisabled(),
      readGatePlugin(),
      databaseUnavailablePlugin(),
      unstorableInputPlugin(),
      ...(cache ? [cacheTracePlugin()] : []),
      operationNamePlugin(),
    ],
    logger: {
      debug: (m) => opts.log.debug(m),
      info: (m) => opts.log.info(m),
      warn: (m) => opts.log.warn(m),
      error: (m) => opts.log.error(m),
    },
  });
  await apollo.start();

  // Set once the socket is bound: whether anonymous reads are allowed depends on where.
  const access = { anonymousRead: false };
  const handler: RequestHandler = {
    apollo,
    db: opts.db,
    control: opts.control,
    timeoutMs: limits.timeoutMs,
    access,
    cache,
    slots,
    serverFolders: opts.serverFolders ?? [],
    metrics,
  };
  const exportRoute = {
    db: opts.db,
    log: opts.log,
    access,
    slots,
    exports: new ExportGate(),
    timeoutMs: limits.timeoutMs,
    serverFolders: handler.serverFolders,
  };
  httpServer.on('request', (req, res) => {
    for (const [name, value] of Object.entries(apiSecurityHeaders)) res.setHeader(name, value);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // A request target no URL parser accepts (e.g. `http://[`): the client's mistake, and
      // throwing here would take the whole server down.
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request: malformed URL');
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname === '/readyz') {
      void readiness().then((r) => {
        res
          .writeHead(r.ready ? 200 : 503, {
            'content-type': 'text/plain',
            'cache-control': 'no-store',
          })
          .end(r.ready ? 'ready' : `not ready: ${r.reason}`);
      });
      return;
    }
    if (url.pathname.startsWith(EXPORT_PREFIX)) {
      handleExport(exportRoute, req, res, url).catch((error: unknown) =>
        sendExportFailure(opts.log, res, error),
      );
      return;
    }
    if (url.pathname === '/metrics') {
      metrics.serve(req, res);
      return;
    }
    if (url.pathname !== '/graphql') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GraphQL is at /graphql');
      return;
    }
    metrics.begin(res);
    const refusal = foreignHostRefusal(access.anonymousRead, req.headers);
    if (refusal !== null) {
      sendError(res, 403, 'FORBIDDEN_HOST', refusal);
      return;
    }
    handleGraphql(handler, req, res, url.search).catch((error: unknown) => {
      if (res.headersSent) {
        res.end();
      } else if (error instanceof BodyTooLargeError) {
        sendError(res, 413, 'BAD_REQUEST', error.message);
      } else if (error instanceof BodyTooDeepError) {
        sendError(res, 400, 'BAD_REQUEST', error.message);
      } else if (error instanceof SyntaxError) {
        sendError(res, 400, 'BAD_REQUEST', 'request body is not valid JSON');
      } else if (isDatabaseUnavailable(error)) {
        opts.log.warn('GraphQL request failed: database unavailable');
        const e = databaseUnavailable();
        sendError(res, 503, 'DATABASE_UNAVAILABLE', e.message);
      } else if (error instanceof RateLimitedError) {
        sendError(res, 429, 'RATE_LIMITED', error.message, {
          'retry-after': String(error.retryAfterSeconds),
        });
      } else if (error instanceof ServerBusyError) {
        opts.log.warn({ maxRunning: error.maxRunning }, 'GraphQL request refused: server busy');
        sendError(res, 503, 'SERVER_BUSY', error.message, {
          'retry-after': String(error.retryAfterSeconds),
        });
      } else if (error instanceof RequestTimeoutError) {
        opts.log.warn({ timeoutMs: error.timeoutMs }, 'GraphQL request timed out');
        sendError(res, 503, 'TIMEOUT', error.message);
      } else {
        opts.log.error({ err: error }, 'GraphQL request failed');
        sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal server error');
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new KdlensError(
              `port ${opts.port} on ${opts.host} is already in use: stop what uses it or set KDLENS_API_PORT`,
            )
          : error,
      );
    });
    httpServer.listen(opts.port, opts.host, () => resolve());
  }).catch(async (error: unknown) => {
    await apollo.stop();
    await opts.control?.close();
    throw error;
  });

  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${opts.host}:${port}/graphql`;
  const loopback =
    typeof address === 'object' && address ? isLoopbackAddress(address.address) : false;
  access.anonymousRead = opts.allowAnonymousRead === true && loopback;
  if (opts.allowAnonymousRead && !loopback) {
    opts.log.warn(
      { host: opts.host },
      'anonymous read stays off: the API does not listen on a loopback address; readers need a token',
    );
  }
  opts.log.info({ url, anonymousRead: access.anonymousRead }, 'GraphQL API listening');
  return {
    url,
    cacheStats: () => cache?.stats() ?? null,
    stats: () => ({
      responseCache: cache?.stats() ?? null,
      documentStore: documentStore.stats(),
      compiledQueries: compiled?.stats() ?? null,
      callers: slots.stats(),
      droppedConnections,
    }),
    stop: async () => {
      await apollo.stop();
      await opts.control?.close();
    },
  };
}

interface RequestHandler {
  apollo: ApolloServer<ApiContext>;
  db: Database;
  control: ApiControl | undefined;
  timeoutMs: number;
  access: { anonymousRead: boolean };
  cache: ResponseCache | undefined;
  slots: CallerSlots;
  serverFolders: readonly string[];
  metrics: ApiMetrics;
}

/**
 * Errors outside GraphQL execution. The connection is closed after them: the rest of an unread
 * body (too large, or cut off by the timeout) would otherwise be taken for the next request on a
 * kept-alive socket.
 */
function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJsonError(res, status, code, message, { ...headers, connection: 'close' });
}

async function handleGraphql(
  h: RequestHandler,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  search: string,
): Promise<void> {
  const flight: Flight = {};
  try {
    await answerGraphql(h, req, res, search, flight);
  } finally {
    // Requests waiting for this one's answer are never left hanging (errors, timeouts).
    flight.land?.(undefined);
  }
}

/** Set when a request computes an answer that concurrent requests wait for. */
interface Flight {
  land?: (entry: CachedResponse | undefined) => void;
}

async function answerGraphql(
  h: RequestHandler,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  search: string,
  flight: Flight,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  // The deadline covers reading the body too, so a client that trickles it in is cut off.
  const answer = await withTimeout(h.timeoutMs, async (signal) => {
    const body = await readBody(req, BODY_LIMIT);
    // Started once; the cache check and Apollo's context share it.
    const caller = resolveCaller(h.db, req.headers.authorization);
    // Apollo may answer (a bad method, CSRF) without asking for a context: not unhandled then.
    caller.catch(() => undefined);
    const lookup = await cacheLookup(h, req, method, body, caller, flight);
    const hit = lookup?.hit ?? (await lookup?.shared);
    if (hit) return { kind: 'hit', hit } as const;
    // Only work the server computes takes a slot; answers from memory above do not. Held until
    // Apollo has finished, even past the deadline, so it bounds what really runs at once.
    const who = callerKey(
      await caller.catch(() => null),
      req.socket.remoteAddress,
      h.access.anonymousRead,
    );
    const release = await h.slots.acquire(who.key, signal, who.budget);
    try {
      // Stays clean: false when Apollo answers without running the operation (no context).
      const trace = newCacheTrace();
      const response = await h.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search, body },
        context: async () =>
          createContext(h.db, {
            auth: {
              caller: await caller.catch(unavailableAsApiError),
              anonymousRead: h.access.anonymousRead,
            },
            control: h.control,
            serverFolders: h.serverFolders,
            signal,
            freshAfter: lookup?.version.readStartedAt,
            cacheTrace: trace,
          }),
      });
      return { kind: 'apollo', response, lookup, trace } as const;
    } finally {
      release();
    }
  });
  if (answer.kind === 'hit') {
    h.metrics.noteOperation(res, answer.hit.operation);
    h.cache?.count('hit');
    res.writeHead(200, { ...answer.hit.headers, 'x-kdlens-cache': 'hit' });
    res.end(answer.hit.body);
    return;
  }
  const { response, lookup, trace } = answer;
  h.metrics.noteOperation(res, trace.operation, (response.status ?? 200) < 400);
  if (trace.mutation) {
    h.cache?.versions.invalidate();
    studyCacheFor(h.db).invalidate();
  }
  h.cache?.count(lookup ? 'miss' : 'bypass');
  for (const [key, value] of response.headers) res.setHeader(key, value);
  if (h.cache) res.setHeader('x-kdlens-cache', lookup ? 'miss' : 'bypass');
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    if (!(h.cache && lookup && res.statusCode === 200 && trace.clean)) {
      // Not kept: the socket encodes the text itself, without a Buffer copy of its own.
      res.end(response.body.string);
      return;
    }
    const bytes = Buffer.from(response.body.string, 'utf8');
    const entry = {
      headers: Object.fromEntries(response.headers),
      body: bytes,
      operation: trace.operation,
    };
    h.cache.set(lookup.key, lookup.version, entry);
    flight.land?.(entry);
    res.end(bytes);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * Consults the response cache. Only for a POST of a cacheable query (ResponseCache.keyOf) whose
 * caller may read: a valid token of any role, or none where anonymous reading is on. Anyone else
 * goes to Apollo, which answers UNAUTHENTICATED exactly as without the cache.
 */
async function cacheLookup(
  h: RequestHandler,
  req: http.IncomingMessage,
  method: string,
  body: unknown,
  caller: Promise<Caller | null>,
  flight: Flight,
) {
  if (!h.cache || method !== 'POST') return undefined;
  // Only JSON bodies: Apollo's CSRF prevention rejects text/plain and form bodies, and a hit
  // must not skip that check.
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return undefined;
  const operationKey = h.cache.keyOf(body, req.headers.accept);
  if (operationKey === null) return undefined;
  // A bad token fails here and again, with its message, in Apollo's context function.
  const who = await caller.then(
    (c) => ({ caller: c }),
    () => undefined,
  );
  if (!who || (who.caller === null && !h.access.anonymousRead)) return undefined;
  // Specs and run errors read differently for callers who may see server paths
  // (auth/server-paths.ts): an operator's answer must never be served to a viewer.
  const key = {
    key: `${pathAudience({ caller: who.caller, anonymousRead: h.access.anonymousRead })}\0${operationKey.key}`,
    tier: operationKey.tier,
  };
  const version = await h.cache.versions.get().catch(() => undefined);
  // Without a version (the database is unreachable) Apollo answers, or reports the error.
  if (!version) return undefined;
  const hit = h.cache.get(key, version);
  if (hit) return { key, version, hit };
  // In the same turn as the lookup, so of concurrent misses exactly one computes the answer.
  const shared = h.cache.inFlight(key, version);
  if (shared) return { key, version, shared };
  flight.land = h.cache.beginFlight(key, version);
  return { key, version };
}

/** Looking up a token while the database is down fails the request as DATABASE_UNAVAILABLE (503). */
function unavailableAsApiError(error: unknown): never {
  throw isDatabaseUnavailable(error) ? databaseUnavailable() : error;
}

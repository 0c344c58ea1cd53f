import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { isLoopbackHost } from '@kdlens/core';
import type { WarehouseReadiness } from '@kdlens/core/db';
import { type JobState, jobStates, type QueueGauges } from '@kdlens/core/queue';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isLoopbackAddress } from '../auth/loopback.ts';
import type { ApiContext } from '../context.ts';
import type { ResponseCacheStats } from './response-cache.ts';

/** Where /metrics reads what it does not count itself; called once per scrape. */
export interface MetricsSources {
  cacheStats(): ResponseCacheStats | null;
  readiness(): Promise<WarehouseReadiness>;
  queueGauges(): Promise<QueueGauges>;
}

/**
 * Distinct operation names /metrics keeps as labels. Names come from client documents, so a
 * client sending many made-up names would otherwise grow every scrape without bound; names past
 * the limit (first come, first kept) are counted as OTHER_OPERATION.
 */
export const MAX_OPERATION_LABELS = 100;
/** A request whose document had no operation name, or none Apollo resolved (bad request, refused). */
export const UNNAMED_OPERATION = '(unnamed)';
export const OTHER_OPERATION = '(other)';
/** A GraphQL Name, at most 64 characters: anything else is never a label. */
const operationNamePattern = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
/** Longest a scrape waits for the database; past it the queue gauges are left out. */
const QUEUE_GAUGES_TIMEOUT_MS = 2000;

/**
 * The API's operational metrics in Prometheus text format (prom-client, a registry per server):
 * GraphQL requests and latency by operation, response-cache outcomes, warehouse readiness, study
 * queue jobs by pg-boss state, running units and worker heartbeats. Latency is measured from the
 * request's arrival to the response's last byte, so cache hits and time waiting for a slot count.
 */
export class ApiMetrics {
  private readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'status'>;
  private readonly duration: Histogram<'operation'>;
  private readonly inFlight: Gauge;
  private readonly warehouseReady: Gauge;
  private readonly queueJobs: Gauge<'state'>;
  private readonly runningUnits: Gauge;
  private readonly busyWorkers: Gauge;
  private readonly heartbeatAge: Gauge;
  private readonly operations = new WeakMap<http.ServerResponse, string>();
  private readonly labels = new Set<string>();

  constructor(
    private readonly sources: MetricsSources,
    /** KDLENS_METRICS_TOKEN: a bearer token that may read /metrics from anywhere. */
    private readonly token?: string,
  ) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'kdlens_api_graphql_requests_total',
      help: 'GraphQL requests answered, by operation name and HTTP status ("aborted": the client left first).',
      labelNames: ['operation', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'kdlens_api_graphql_request_duration_seconds',
      help: 'GraphQL request latency from arrival to the last byte sent, by operation name.',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'kdlens_api_graphql_requests_in_flight',
      help: 'GraphQL requests received and not yet answered.',
      registers,
    });
    const cache = () => this.sources.cacheStats();
    new Counter({
      name: 'kdlens_api_response_cache_requests_total',
      help: 'Requests by response-cache outcome: hit (answered from memory), miss (computed, then kept), bypass (not cacheable). None while the cache is off.',
      labelNames: ['outcome'],
      registers,
      // The cache counts for itself (ResponseCache.stats); copied at each scrape.
      collect() {
        this.reset();
        const stats = cache();
        if (!stats) return;
        this.inc({ outcome: 'hit' }, stats.hits);
        this.inc({ outcome: 'miss' }, stats.misses);
        this.inc({ outcome: 'bypass' }, stats.bypasses);
      },
    });
    new Gauge({
      name: 'kdlens_api_response_cache_entries',
      help: 'Answers the response cache holds.',
      registers,
      collect() {
        const stats = cache();
        this.set(stats?.entries ?? 0);
      },
    });
    new Gauge({
      name: 'kdlens_api_response_cache_bytes',
      help: 'Bytes the response cache counts for its answers.',
      registers,
      collect() {
        const stats = cache();
        this.set(stats?.bytes ?? 0);
      },
    });
    this.warehouseReady = new Gauge({
      name: 'kdlens_warehouse_ready',
      help: '1 when the database answers and has this build’s migrations (as /readyz), else 0.',
      registers,
    });
    this.queueJobs = new Gauge({
      name: 'kdlens_queue_jobs',
      help: 'Train-unit jobs of the study queue by pg-boss state. Absent while the database is not ready.',
      labelNames: ['state'],
      registers,
    });
    this.runningUnits = new Gauge({
      name: 'kdlens_running_units',
      help: 'Units (runs) a worker has claimed and not finished.',
      registers,
    });
    this.busyWorkers = new Gauge({
      name: 'kdlens_busy_workers',
      help: 'Distinct workers holding a running unit.',
      registers,
    });
    this.heartbeatAge = new Gauge({
      name: 'kdlens_worker_heartbeat_age_max_seconds',
      help: 'Over the workers holding a running unit, the largest age of a worker’s newest heartbeat; past KDLENS_STALE_SECONDS its unit is requeued.',
      registers,
    });
  }

  /** Starts timing a GraphQL request; it is counted when its response closes. */
  begin(res: http.ServerResponse): void {
    const started = performance.now();
    this.inFlight.inc();
    res.once('close', () => {
      this.inFlight.dec();
      const operation = this.operations.get(res) ?? UNNAMED_OPERATION;
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      this.requests.inc({ operation, status });
      this.duration.observe({ operation }, (performance.now() - started) / 1000);
    });
  }

  /**
   * The operation a request ran (Apollo's resolved name, or the cached answer's). Only an
   * answered request (`answered`: HTTP status below 400) may add a new name to the label set, so
   * clients without a token cannot fill it with names of their own; a refused request counts
   * under its name when that is already known, else under `(other)`.
   */
  noteOperation(res: http.ServerResponse, name: string | null | undefined, answered = true): void {
    this.operations.set(res, this.operationLabel(name, answered));
  }

  private operationLabel(name: string | null | undefined, answered: boolean): string {
    if (name === null || name === undefined || !operationNamePattern.test(name)) {
      return UNNAMED_OPERATION;
    }
    if (this.labels.has(name)) return name;
    if (!answered || this.labels.size >= MAX_OPERATION_LABELS) return OTHER_OPERATION;
    this.labels.add(name);
    return name;
  }

  /** Answers GET /metrics: 403 unless metricsAccess allows the request. */
  serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const refusal = metricsRefusal(req, this.token);
    if (refusal !== null) {
      res
        .writeHead(403, { 'content-type': 'text/plain', 'cache-control': 'no-store' })
        .end(refusal);
      return;
    }
    void this.scrape().then(
      (text) => {
        res
          .writeHead(200, {
            'content-type': this.registry.contentType,
            'cache-control': 'no-store',
          })
          .end(text);
      },
      (error: unknown) => {
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`metrics failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  /** Reads the warehouse's gauges, then renders every metric. */
  async scrape(): Promise<string> {
    const readiness = await this.sources.readiness();
    this.warehouseReady.set(readiness.ready ? 1 : 0);
    const gauges = readiness.ready ? await withDeadline(this.sources.queueGauges()) : undefined;
    this.queueJobs.reset();
    for (const g of [this.runningUnits, this.busyWorkers, this.heartbeatAge]) g.reset();
    if (gauges) {
      for (const state of jobStates) this.queueJobs.set({ state }, gauges.jobs[state as JobState]);
      this.runningUnits.set(gauges.runningUnits);
      this.busyWorkers.set(gauges.busyWorkers);
      this.heartbeatAge.set(gauges.oldestHeartbeatAgeSeconds);
    }
    return this.registry.metrics();
  }
}

/** The gauges, or undefined when the database fails or is slower than the deadline. */
async function withDeadline(read: Promise<QueueGauges>): Promise<QueueGauges | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), QUEUE_GAUGES_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read.catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const forwardedHeaders = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/**
 * Why a request may not read /metrics, or null to serve it. Allowed: a bearer token equal to
 * KDLENS_METRICS_TOKEN (from anywhere), or a client on this machine (loopback peer) that names
 * this machine in Host (not a DNS-rebound page) and came through no proxy (a reverse proxy on this
 * machine is a loopback peer too, and would otherwise hand /metrics to the whole network). API
 * tokens do not open it: a viewer's token must not show the server's load and queue.
 */
export function metricsRefusal(
  req: Pick<http.IncomingMessage, 'headers'> & { socket: { remoteAddress?: string | undefined } },
  token: string | undefined,
): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (token !== undefined && bearer !== undefined && sameSecret(bearer, token)) return null;
  const local =
    isLoopbackAddress(req.socket.remoteAddress ?? '') &&
    isLoopbackHost(req.headers.host) &&
    forwardedHeaders.every((h) => req.headers[h] === undefined);
  if (local) return null;
  return token === undefined
    ? 'forbidden: /metrics answers only clients on this machine; set KDLENS_METRICS_TOKEN to scrape it from elsewhere (Authorization: Bearer <token>)'
    : 'forbidden: /metrics needs Authorization: Bearer <KDLENS_METRICS_TOKEN>';
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Apollo's half of the request metrics: the name of the operation it resolved, for the label. */
export function operationNamePlugin(): ApolloServerPlugin<ApiContext> {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ operationName, contextValue }) => {
        contextValue.cacheTrace.operation = operationName ?? null;
      },
    }),
  };
}

import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  ApiMetrics,
  MAX_OPERATION_LABELS,
  metricsRefusal,
  OTHER_OPERATION,
  UNNAMED_OPERATION,
} from './metrics.ts';

const TOKEN = 'metrics-token-0123456789';
const request = (remoteAddress: string, headers: http.IncomingHttpHeaders) => ({
  headers,
  socket: { remoteAddress },
});

describe('metricsRefusal', () => {
  it('serves clients on this machine that name it and came through no proxy', () => {
    expect(metricsRefusal(request('127.0.0.1', { host: '127.0.0.1:4000' }), undefined)).toBeNull();
    expect(metricsRefusal(request('::1', { host: 'localhost:4000' }), undefined)).toBeNull();
    expect(
      metricsRefusal(request('::ffff:127.0.0.1', { host: 'localhost:4000' }), undefined),
    ).toBeNull();
  });

  it('refuses other machines, DNS-rebound pages and requests a local proxy forwards', () => {
    expect(metricsRefusal(request('10.213.0.2', { host: '10.213.0.1:4000' }), undefined)).toMatch(
      /only clients on this machine; set KDLENS_METRICS_TOKEN/,
    );
    expect(
      metricsRefusal(request('127.0.0.1', { host: 'attacker.example:4000' }), undefined),
    ).not.toBeNull();
    expect(
      metricsRefusal(
        request('127.0.0.1', { host: '127.0.0.1:4000', 'x-forwarded-for': '203.0.113.9' }),
        undefined,
      ),
    ).not.toBeNull();
  });

  it('serves KDLENS_METRICS_TOKEN from anywhere, and nothing else opens it', () => {
    const remote = (authorization?: string) =>
      request('10.213.0.2', { host: 'kdlens:4000', ...(authorization ? { authorization } : {}) });
    expect(metricsRefusal(remote(`Bearer ${TOKEN}`), TOKEN)).toBeNull();
    expect(metricsRefusal(remote(`bearer ${TOKEN}`), TOKEN)).toBeNull();
    expect(metricsRefusal(remote(`Bearer ${TOKEN}x`), TOKEN)).toMatch(/needs Authorization/);
    // An API token (any role) is not the metrics token.
    expect(metricsRefusal(remote('Bearer kdl_viewer_token'), TOKEN)).not.toBeNull();
    expect(metricsRefusal(remote(), TOKEN)).not.toBeNull();
    // Without KDLENS_METRICS_TOKEN no bearer opens it.
    expect(metricsRefusal(remote(`Bearer ${TOKEN}`), undefined)).not.toBeNull();
  });
});

describe('ApiMetrics operation labels', () => {
  const sources = {
    cacheStats: () => null,
    readiness: async () => ({ ready: false, reason: 'test' }) as const,
    queueGauges: () => Promise.reject(new Error('not read while not ready')),
  };

  /** A response that closes at once, finished, with status 200. */
  function answered(metrics: ApiMetrics, operation: string | null | undefined): void {
    const listeners: (() => void)[] = [];
    const res = {
      statusCode: 200,
      writableFinished: true,
      once: (_event: string, listener: () => void) => listeners.push(listener),
    } as unknown as http.ServerResponse;
    metrics.begin(res);
    metrics.noteOperation(res, operation);
    for (const l of listeners) l();
  }

  /** `kdlens_api_graphql_requests_total` samples by operation label. */
  async function counts(metrics: ApiMetrics): Promise<Map<string, number>> {
    const text = await metrics.scrape();
    const out = new Map<string, number>();
    for (const m of text.matchAll(
      /^kdlens_api_graphql_requests_total\{operation="([^"]*)",status="200"\} (\d+)$/gm,
    )) {
      out.set(m[1] ?? '', Number(m[2]));
    }
    return out;
  }

  it('buckets unnamed and malformed names, and names past the limit', async () => {
    const metrics = new ApiMetrics(sources);
    answered(metrics, 'Experiments');
    answered(metrics, 'Experiments');
    answered(metrics, null);
    answered(metrics, undefined);
    answered(metrics, 'query { experiments { id } }');
    answered(metrics, 'x'.repeat(65));
    for (let i = 0; i < MAX_OPERATION_LABELS + 5; i++) answered(metrics, `Op${i}`);
    const c = await counts(metrics);
    expect(c.get('Experiments')).toBe(2);
    expect(c.get(UNNAMED_OPERATION)).toBe(4);
    // 'Experiments' took one of the labels: 99 of Op0… kept, the other 6 counted as (other).
    expect(c.get('Op0')).toBe(1);
    expect(c.get(`Op${MAX_OPERATION_LABELS - 2}`)).toBe(1);
    expect(c.has(`Op${MAX_OPERATION_LABELS - 1}`)).toBe(false);
    expect(c.get(OTHER_OPERATION)).toBe(6);
    expect(c.size).toBe(MAX_OPERATION_LABELS + 2);
    const text = await metrics.scrape();
    expect(text).toContain('kdlens_warehouse_ready 0');
    // No queue gauges while the database is not ready.
    expect(text).not.toMatch(/^kdlens_queue_jobs\{/m);
  });
});

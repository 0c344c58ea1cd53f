/**
 * Some variables of core's env schema have their default where the value is used (the API's
 * limits, the queue's timings), not in the schema; the schema's `unset` text is what
 * docs/environment.md shows. This checks each such text against the default the code applies.
 */
import { defaultApiLimits } from '@kdlens/api';
import { envSchema } from '@kdlens/core';
import { defaultQueueTimings } from '@kdlens/core/queue';
import { describe, expect, it } from 'vitest';

/** A variable's metadata (`description`, `unset`), as set with `.meta()` in env.ts. */
function meta(variable: string): { description?: string; unset?: unknown } {
  const schema = envSchema.shape[variable as keyof typeof envSchema.shape];
  return schema.meta() ?? { description: schema.description };
}

/** The number a variable's `unset` text gives, e.g. 16 for "4 × `KDLENS_API_MAX_CONCURRENT` (`16`)". */
function documentedDefault(variable: string): number {
  const text = String(meta(variable).unset);
  const numbers = [...(text ?? '').matchAll(/`(\d+)`/g)].map((m) => Number(m[1]));
  expect(numbers, `${variable}'s unset text: ${text}`).toHaveLength(1);
  return numbers[0] as number;
}

describe('documented defaults of the environment', () => {
  const expected: Record<string, number> = {
    KDLENS_API_MAX_DEPTH: defaultApiLimits.maxDepth,
    KDLENS_API_MAX_COST: defaultApiLimits.maxCost,
    KDLENS_API_TIMEOUT_MS: defaultApiLimits.timeoutMs,
    KDLENS_API_MAX_ROOT_FIELDS: defaultApiLimits.maxRootFields,
    KDLENS_API_MAX_CONCURRENT: defaultApiLimits.maxConcurrent,
    KDLENS_API_MAX_RUNNING: defaultApiLimits.maxRunning,
    KDLENS_API_QUEUE_MS: defaultApiLimits.queueMs,
    KDLENS_API_MAX_CONNECTIONS: defaultApiLimits.maxConnections,
    KDLENS_API_HEADERS_TIMEOUT_MS: defaultApiLimits.headersTimeoutMs,
    KDLENS_API_KEEPALIVE_TIMEOUT_MS: defaultApiLimits.keepAliveTimeoutMs,
    KDLENS_HEARTBEAT_SECONDS: defaultQueueTimings.heartbeatSeconds,
    KDLENS_STALE_SECONDS: defaultQueueTimings.staleAfterSeconds,
  };
  for (const [variable, value] of Object.entries(expected)) {
    it(`${variable}: ${value}`, () => {
      expect(documentedDefault(variable)).toBe(value);
    });
  }

  it('every variable has a description', () => {
    const undocumented = Object.keys(envSchema.shape).filter((name) => !meta(name).description);
    expect(undocumented).toEqual([]);
  });
});

import type { WarehouseReadiness } from '@kdlens/core/db';

/** How long a readiness answer is reused: probes polled every few seconds still see changes. */
export const READINESS_MAX_AGE_MS = 1000;

/**
 * /readyz answered from one probe at a time: concurrent requests share the one in flight, and its
 * answer is reused for maxAgeMs after it settles. /readyz sits outside every per-caller limit and
 * any web page can fire no-cors GETs at it; probing per request let each one hold a pool
 * connection for up to 2 s.
 */
export function sharedReadiness(
  probe: () => Promise<WarehouseReadiness>,
  maxAgeMs = READINESS_MAX_AGE_MS,
  now: () => number = performance.now.bind(performance),
): () => Promise<WarehouseReadiness> {
  let current: { answer: Promise<WarehouseReadiness>; settledAt: number | undefined } | undefined;
  return () => {
    if (current && (current.settledAt === undefined || now() - current.settledAt < maxAgeMs)) {
      return current.answer;
    }
    const entry: { answer: Promise<WarehouseReadiness>; settledAt: number | undefined } = {
      answer: probe()
        // warehouseReadiness reports failures as answers; anything else is a bug, not "ready".
        .catch((): WarehouseReadiness => ({ ready: false, reason: 'database check failed' }))
        .finally(() => {
          entry.settledAt = now();
        }),
      settledAt: undefined,
    };
    current = entry;
    return entry.answer;
  };
}

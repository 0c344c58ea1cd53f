import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { CallerSlots, RateLimitedError } from './caller-slots.ts';

it('runs maxConcurrent per caller, queues maxQueued, refuses the rest at once', async () => {
  const slots = new CallerSlots({ maxConcurrent: 2, maxQueued: 1, queueMs: 1000 });
  const r1 = await slots.acquire('a');
  const r2 = await slots.acquire('a');
  const queued = slots.acquire('a');
  await expect(slots.acquire('a')).rejects.toBeInstanceOf(RateLimitedError);
  // Another caller has slots of its own.
  const other = await slots.acquire('b');
  expect(slots.stats()).toEqual({ callers: 2, running: 3, waiting: 1 });
  r1();
  r1(); // a second call gives nothing back twice
  const r3 = await queued;
  expect(slots.stats()).toEqual({ callers: 2, running: 3, waiting: 0 });
  for (const release of [r2, r3, other]) release();
  // Idle callers are forgotten.
  expect(slots.stats()).toEqual({ callers: 0, running: 0, waiting: 0 });
});

it('refuses a request that waited queueMs, with Retry-After in whole seconds', async () => {
  const slots = new CallerSlots({ maxConcurrent: 1, maxQueued: 4, queueMs: 50 });
  const release = await slots.acquire('a');
  const started = performance.now();
  const error = await slots.acquire('a').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RateLimitedError);
  expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  expect((error as RateLimitedError).retryAfterSeconds).toBe(1);
  expect((error as RateLimitedError).message).toMatch(/KDLENS_API_MAX_CONCURRENT/);
  expect(slots.stats()).toEqual({ callers: 1, running: 1, waiting: 0 });
  release();
});

it('a waiter whose request is aborted leaves the queue', async () => {
  const slots = new CallerSlots({ maxConcurrent: 1, maxQueued: 4, queueMs: 10_000 });
  const release = await slots.acquire('a');
  const controller = new AbortController();
  const waiting = slots.acquire('a', controller.signal);
  await sleep(1);
  controller.abort(new Error('deadline'));
  await expect(waiting).rejects.toThrow('deadline');
  expect(slots.stats().waiting).toBe(0);
  release();
  expect(slots.stats().running).toBe(0);
});

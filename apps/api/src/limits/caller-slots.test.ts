import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { CallerSlots, RateLimitedError, ServerBusyError } from './caller-slots.ts';

/** A server-wide cap no test of the per-caller limit reaches. */
const roomy = { maxRunning: 100, maxQueuedServer: 100 };

it('runs maxConcurrent per caller, queues maxQueued, refuses the rest at once', async () => {
  const slots = new CallerSlots({ maxConcurrent: 2, maxQueued: 1, queueMs: 1000, ...roomy });
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
  const slots = new CallerSlots({ maxConcurrent: 1, maxQueued: 4, queueMs: 50, ...roomy });
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
  const slots = new CallerSlots({ maxConcurrent: 1, maxQueued: 4, queueMs: 10_000, ...roomy });
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

it('a caller with a share of 4 runs 4 × maxConcurrent, and its refusal names that budget', async () => {
  const slots = new CallerSlots({ maxConcurrent: 2, maxQueued: 1, queueMs: 0, ...roomy });
  const budget = { share: 4, source: '4 × KDLENS_API_MAX_CONCURRENT' };
  const releases = await Promise.all(
    Array.from({ length: 8 }, () => slots.acquire('l', undefined, budget)),
  );
  const error = await slots.acquire('l', undefined, budget).catch((e: unknown) => e);
  expect((error as RateLimitedError).message).toBe(
    'too many requests at once from this caller: at most 8 run at a time (4 × KDLENS_API_MAX_CONCURRENT); retry after 1 s',
  );
  for (const release of releases) release();
  expect(slots.stats()).toEqual({ callers: 0, running: 0, waiting: 0 });
});

it('runs at most maxRunning over all callers; the next waits its turn, then is refused', async () => {
  const slots = new CallerSlots({
    maxConcurrent: 2,
    maxQueued: 8,
    queueMs: 50,
    maxRunning: 3,
    maxQueuedServer: 1,
  });
  const a1 = await slots.acquire('a');
  const a2 = await slots.acquire('a');
  const b1 = await slots.acquire('b');
  // c has a slot of its own, but the server has none: it waits for one, d is refused at once.
  const c1 = slots.acquire('c');
  const busy = await slots.acquire('d').catch((e: unknown) => e);
  expect(busy).toBeInstanceOf(ServerBusyError);
  expect((busy as ServerBusyError).message).toBe(
    'the server is busy: at most 3 requests run at a time, all callers together (KDLENS_API_MAX_RUNNING); retry after 1 s',
  );
  expect(slots.stats()).toEqual({ callers: 3, running: 3, waiting: 1 });
  a1();
  const c = await c1;
  expect(slots.stats()).toEqual({ callers: 3, running: 3, waiting: 0 });
  // Nobody frees a slot within queueMs: refused, and its caller's slot is given back.
  const late = await slots.acquire('e').catch((e: unknown) => e);
  expect(late).toBeInstanceOf(ServerBusyError);
  expect(slots.stats()).toEqual({ callers: 3, running: 3, waiting: 0 });
  for (const release of [a2, b1, c]) release();
  expect(slots.stats()).toEqual({ callers: 0, running: 0, waiting: 0 });
});

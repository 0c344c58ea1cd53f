import type { WarehouseReadiness } from '@kdlens/core/db';
import { expect, it } from 'vitest';
import { sharedReadiness } from './shared-readiness.ts';

it('shares the probe in flight and reuses its answer for maxAgeMs after it settles', async () => {
  let clock = 0;
  let probes = 0;
  let finish: (r: WarehouseReadiness) => void = () => {};
  const ready = sharedReadiness(
    () => {
      probes++;
      return new Promise((resolve) => {
        finish = resolve;
      });
    },
    1000,
    () => clock,
  );
  const first = Array.from({ length: 50 }, () => ready());
  expect(probes).toBe(1);
  // Still in flight after its age would have run out: shared, never a second probe.
  clock = 5000;
  ready();
  expect(probes).toBe(1);
  finish({ ready: true });
  expect(await Promise.all(first)).toEqual(Array(50).fill({ ready: true }));
  clock = 5999;
  expect(await ready()).toEqual({ ready: true });
  expect(probes).toBe(1);
  clock = 6000;
  const second = ready();
  expect(probes).toBe(2);
  finish({ ready: false, reason: 'database unavailable' });
  expect(await second).toEqual({ ready: false, reason: 'database unavailable' });
});

it('a probe that throws answers not ready instead of rejecting', async () => {
  const ready = sharedReadiness(() => Promise.reject(new Error('bug')));
  expect(await ready()).toEqual({ ready: false, reason: 'database check failed' });
});

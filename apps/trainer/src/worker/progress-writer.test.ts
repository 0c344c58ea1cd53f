import { setTimeout as sleep } from 'node:timers/promises';
import type { UnitProgress } from '@kdlens/core/queue';
import { describe, expect, it } from 'vitest';
import { createProgressWriter } from './progress-writer.ts';

function recorder() {
  const writes: { at: number; p: UnitProgress }[] = [];
  const liveness: string[] = [];
  const writer = createProgressWriter({
    intervalMs: 100,
    write: async (p) => {
      writes.push({ at: Date.now(), p });
      await sleep(5);
      return 'ok';
    },
    onLiveness: (l) => liveness.push(l),
    onError: (error) => {
      throw error;
    },
  });
  return { writes, liveness, writer };
}

describe('createProgressWriter', () => {
  it('writes at most once per interval however often progress is reported', async () => {
    const { writes, writer } = recorder();
    const t0 = Date.now();
    // 600 reports over ~0.6 s: a training loop reporting every batch.
    for (let i = 1; i <= 600; i++) {
      writer.report({ fraction: i / 600, epoch: 1 });
      if (i % 10 === 0) await sleep(10);
    }
    const elapsed = Date.now() - t0;
    await writer.flush();
    // One write at once, then at most one per 100 ms (+1 for the flush).
    expect(writes.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
    expect(writes.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < writes.length - 1; i++) {
      const gap = (writes[i]?.at ?? 0) - (writes[i - 1]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(95);
    }
    // The last report is what the row ends with.
    expect(writes.at(-1)?.p.fraction).toBe(1);
  });

  it('writes the last report of a burst when the interval ends, without a flush', async () => {
    const { writes, writer, liveness } = recorder();
    writer.report({ fraction: 0.1, epoch: 1 });
    writer.report({ fraction: 0.2, epoch: 1 });
    writer.report({ fraction: 0.3, epoch: 1 });
    await sleep(180);
    expect(writes.map((w) => w.p.fraction)).toEqual([0.1, 0.3]);
    expect(liveness).toEqual(['ok', 'ok']);
    writer.close();
    writer.report({ fraction: 0.9, epoch: 2 });
    await sleep(150);
    expect(writes).toHaveLength(2);
  });

  it('flush waits for the write that a finishing write starts', async () => {
    // With no interval, a report made while a write is in flight is written the moment that write
    // ends, from the write's own completion: flush must wait for that one too, or the run's
    // finish (which follows the flush) can land first and the row keep the older progress.
    const landed: number[] = [];
    const writer = createProgressWriter({
      intervalMs: 0,
      write: async (p) => {
        await sleep(20);
        landed.push(p.fraction);
        return 'ok';
      },
      onLiveness: () => undefined,
      onError: (error) => {
        throw error;
      },
    });
    writer.report({ fraction: 0.5, epoch: 1 });
    writer.report({ fraction: 1, epoch: 1 });
    await writer.flush();
    expect(landed).toEqual([0.5, 1]);
    writer.close();
  });
});

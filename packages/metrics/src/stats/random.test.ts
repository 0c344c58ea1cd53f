import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../fixtures/stats/load-fixture.ts';
import { createRandom } from './random.ts';

interface Mulberry32Fixture {
  streams: Array<{ seed: number; uint32: number[] }>;
}

describe('createRandom', () => {
  it('reproduces the Mulberry32 reference stream (Python reimplementation)', () => {
    const { streams } = loadFixture<Mulberry32Fixture>('mulberry32.json');
    for (const { seed, uint32 } of streams) {
      const random = createRandom(seed);
      const got = uint32.map(() => random.next() * 2 ** 32);
      expect(got).toEqual(uint32);
    }
  });

  it('stays in range and is reproducible for any seed', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 32 }), (seed, n) => {
        const a = createRandom(seed);
        const b = createRandom(seed);
        for (let i = 0; i < 20; i++) {
          const u = a.next();
          expect(u).toBe(b.next());
          expect(u >= 0 && u < 1).toBe(true);
          const k = a.int(n);
          expect(k).toBe(b.int(n));
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
  });

  it('draws integers uniformly (chi-square over 10 bins)', () => {
    const random = createRandom(7);
    const counts = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const k = random.int(10);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    const expected = draws / 10;
    const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 99.9th percentile of chi-square with 9 df is 27.88.
    expect(chi2).toBeLessThan(27.88);
  });

  it('rejects bad seeds and ranges', () => {
    expect(() => createRandom(1.5)).toThrow('seed: must be an integer, got 1.5');
    expect(() => createRandom(0).int(0)).toThrow('n: must be an integer in [1, 2^32], got 0');
  });
});

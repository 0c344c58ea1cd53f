/**
 * Images per second of `generateTrifeature` at 32, 64 and 224 px, one JSON line each. Run on
 * one core: `taskset -c 0 node --import tsx src/datasets/trifeature/bench/trifeature.bench.ts`.
 * `vsFill` is the ratio to filling the same bytes with a constant in the same run, a rough
 * machine-independent cost per byte.
 */
import { generateTrifeature } from '../generate-trifeature.ts';

function imagesPerSecond(size: number, count: number, supersample?: number): number {
  generateTrifeature({ count: Math.max(1, count >> 3), size, seed: 0, supersample }); // warm-up
  const start = performance.now();
  generateTrifeature({ count, size, seed: 1, supersample });
  return count / ((performance.now() - start) / 1000);
}

function fillsPerSecond(size: number, count: number): number {
  const bytes = new Uint8Array(count * size * size * 3);
  const start = performance.now();
  for (let i = 0; i < count; i++)
    bytes.fill(128 + (i & 1), i * size * size * 3, (i + 1) * size * size * 3);
  return count / ((performance.now() - start) / 1000);
}

const cases: { size: number; count: number; supersample?: number }[] = [
  { size: 32, count: 20000 },
  { size: 32, count: 5000, supersample: 4 },
  { size: 64, count: 5000 },
  { size: 224, count: 500 },
  { size: 224, count: 300, supersample: 2 },
];
for (const { size, count, supersample } of cases) {
  const rate = imagesPerSecond(size, count, supersample);
  console.log(
    JSON.stringify({
      bench: 'generateTrifeature',
      size,
      supersample: supersample ?? 'default',
      imagesPerSecond: Math.round(rate),
      vsFill: Number((rate / fillsPerSecond(size, count)).toFixed(4)),
    }),
  );
}

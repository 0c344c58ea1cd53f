// Timing of nearestNeighbors, printed as JSON lines:
//   npx tsx src/individual/bench/knn-timing.ts [n] [d] [k]   (from packages/metrics)
// Beside the blocked search it times a plain one (every ordered pair, Σ (x_t − y_t)², no
// blocking) on the same data and run, so the ratio survives a noisy machine; the plain search
// is skipped above n = 10,000, where it would take minutes.

import { createRandom } from '../../stats/random.ts';
import { nearestNeighbors } from '../nearest-neighbors.ts';

function plainNeighbours(x: Float64Array, d: number, k: number): Int32Array {
  const n = x.length / d;
  const out = new Int32Array(n * k);
  const dist = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    dist.fill(Number.POSITIVE_INFINITY);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = (x[i * d + t] as number) - (x[j * d + t] as number);
        s += diff * diff;
      }
      let p = k - 1;
      if (!(s < (dist[p] as number))) continue;
      while (p > 0 && (dist[p - 1] as number) > s) {
        dist[p] = dist[p - 1] as number;
        out[i * k + p] = out[i * k + p - 1] as number;
        p--;
      }
      dist[p] = s;
      out[i * k + p] = j;
    }
  }
  return out;
}

function time(run: () => Int32Array): { cpuMs: number; wallMs: number; result: Int32Array } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = run();
  return {
    cpuMs: Math.round(process.cpuUsage(cpu).user / 1000),
    wallMs: Math.round(performance.now() - wall),
    result,
  };
}

const [n = 10_000, d = 64, k = 5] = process.argv.slice(2).map(Number);
const random = createRandom(2024);
const x = Float64Array.from({ length: n * d }, () => random.next());
const blocked = time(() => nearestNeighbors(x, d, k));
console.log(JSON.stringify({ search: 'blocked', n, d, k, ...blocked, result: undefined }));
if (n <= 10_000) {
  const plain = time(() => plainNeighbours(x, d, k));
  const same = plain.result.every((v, i) => v === blocked.result[i]);
  console.log(JSON.stringify({ search: 'plain', n, d, k, ...plain, result: undefined, same }));
  console.log(JSON.stringify({ plainOverBlocked: +(plain.cpuMs / blocked.cpuMs).toFixed(2) }));
}

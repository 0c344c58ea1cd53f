/**
 * BENCH_SMOKE=1 (CI's `npm run bench:smoke`): tiny sizes, one timed call, so every figure runs
 * end to end in about a second; its lines carry "smoke":true.
 */
export const smoke = process.env.BENCH_SMOKE === '1';

/** `full` normally, `tiny` in smoke mode. */
export const size = (full: number, tiny: number): number => (smoke ? tiny : full);

/**
 * Median wall time of `runs` calls (≥ 1), in milliseconds, after one warm-up call unless
 * `warmUp` is false (for slow baselines, where one cold call is enough to show the ratio).
 */
export function medianMs(fn: () => unknown, runs = 5, warmUp = true): number {
  if (runs < 1) throw new RangeError('runs must be at least 1');
  if (warmUp) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

/**
 * One JSON line per figure, with the naive baseline measured in the same process so the ratio
 * survives a noisy machine.
 */
export function report(
  name: string,
  figures: { ms: number; baselineMs: number; targetMs: number; [key: string]: unknown },
): void {
  const { ms, baselineMs, targetMs, ...rest } = figures;
  console.log(
    JSON.stringify({
      bench: name,
      ...(smoke ? { smoke } : {}),
      ...rest,
      ms: round(ms),
      baselineMs: round(baselineMs),
      speedup: round(baselineMs / ms),
      targetMs,
      withinTarget: ms <= targetMs,
    }),
  );
}

const round = (x: number) => Math.round(x * 100) / 100;

/** How numbers read on every page (and in the tests that check them). */

/** A share 0..1 as a percentage with two decimals, as in the paper's tables; '–' when missing. */
export function percent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : `${(value * 100).toFixed(digits)}%`;
}

/** Mean ± sd of a share, in percent: "70.87 ± 0.31%". */
export function percentMeanSd(mean: number | null, sd: number | null): string {
  if (mean === null) return '–';
  const m = (mean * 100).toFixed(2);
  return sd === null ? `${m}%` : `${m} ± ${(sd * 100).toFixed(2)}%`;
}

/** A signed difference of shares in percentage points: "+1.25 pp". */
export function percentPoints(value: number | null): string {
  if (value === null || Number.isNaN(value)) return '–';
  const pp = value * 100;
  return `${pp > 0 ? '+' : pp < 0 ? '−' : '±'}${Math.abs(pp).toFixed(2)} pp`;
}

/** p-values: fixed for ordinary sizes, scientific below 1e-4 so tiny ones stay distinct. */
export function pValue(value: number | null): string {
  if (value === null || Number.isNaN(value)) return '–';
  return value < 1e-4 ? value.toExponential(2) : value.toFixed(4);
}

export function decimal(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

/** Seconds as "1 h 02 min", "3 min 05 s" or "42 s". */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600)
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

/** A list of temperatures or seeds, compacted: "1, 4, 10". */
export function list(values: readonly number[]): string {
  return values.length === 0 ? '–' : values.join(', ');
}

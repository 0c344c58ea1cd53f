/** Share done as a bar and a number, so it reads without the bar too. */
export function ProgressMeter({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <span className="progress-meter">
      <progress value={pct} max={100} aria-label={`${label}: ${pct}% done`} />
      <span className="progress-number">{pct}%</span>
    </span>
  );
}

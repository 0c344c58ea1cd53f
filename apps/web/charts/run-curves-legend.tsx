import { curveStyles, type RunCurve } from './run-curves.ts';

/**
 * Which line is which run, for all the overlaid charts at once: the arm's colour and the run's
 * dash, its arm, temperature and seed, and how many epochs it has finished.
 */
export function RunCurvesLegend({ runs }: { runs: readonly RunCurve[] }) {
  const styles = curveStyles(runs);
  return (
    <ul className="curves-legend" data-testid="curves-legend">
      {runs.map((run, i) => {
        const style = styles[i];
        return (
          <li key={run.id} data-run-id={run.id}>
            <svg width="36" height="10" aria-hidden="true">
              <line
                x1="2"
                x2="34"
                y1="5"
                y2="5"
                stroke={style?.stroke}
                strokeDasharray={style?.dash}
                strokeWidth="2.5"
              />
            </svg>
            <span>{run.label}</span>
            <span className="meta-inline">
              {run.history.length === 0
                ? 'no finished epoch yet'
                : `${run.history.length} epoch${run.history.length === 1 ? '' : 's'}`}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

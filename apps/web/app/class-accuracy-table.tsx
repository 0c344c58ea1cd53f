import { runLabel } from '@/lib/run-label.ts';
import type { HomeRun as Run } from './home-run.ts';

function cell(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`;
}

/** Test accuracy of every class under every finished run: where distillation moved accuracy. */
export function ClassAccuracyTable({ runs, caption }: { runs: Run[]; caption: string }) {
  const done = runs.filter((r) => r.status === 'succeeded' && r.classAccuracy && r.classNames);
  const classNames = done[0]?.classNames ?? [];
  if (done.length === 0 || classNames.length === 0) return null;
  const seeds = new Set(done.map((r) => r.seed));
  return (
    <div className="table-wrap">
      <table data-testid="class-accuracy">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">class</th>
            {done.map((run) => (
              <th key={run.id} scope="col" className="num">
                {/* The arm in the paper's words; the seed too when the runs' seeds differ. */}
                {seeds.size > 1 ? runLabel(run) : run.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {classNames.map((name, c) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              {done.map((run) => (
                <td key={run.id} className="num">
                  {cell(run.classAccuracy?.[c])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

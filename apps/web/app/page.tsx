import { ApiUnavailableError, type Experiment, fetchExperiments, type Run } from '../lib/api';
import { AutoRefresh } from './auto-refresh';
import { ClassAccuracyTable, roleLabel } from './class-accuracy-table';

// Results change while runs train; never serve a page rendered at build time.
export const dynamic = 'force-dynamic';

function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)}%`;
}

function RunsTable({ runs }: { runs: Run[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">role</th>
            <th scope="col" className="num">
              T
            </th>
            <th scope="col" className="num">
              seed
            </th>
            <th scope="col">architecture</th>
            <th scope="col">status</th>
            <th scope="col">progress</th>
            <th scope="col" className="num">
              test accuracy
            </th>
            <th scope="col">backend</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-testid="run-row">
              <td>{roleLabel[run.role]}</td>
              <td className="num">{run.temperature ?? '–'}</td>
              <td className="num">{run.seed}</td>
              <td>{run.architecture}</td>
              <td className={`status-${run.status}`} title={run.error ?? undefined}>
                {run.status}
              </td>
              <td>
                <progress
                  value={run.progress}
                  max={1}
                  aria-label={`progress ${Math.round(run.progress * 100)}%`}
                />
              </td>
              <td className="num">{percent(run.accuracy)}</td>
              <td>{run.backend ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ExperimentCard({ experiment }: { experiment: Experiment }) {
  return (
    <section className="experiment" aria-labelledby={`exp-${experiment.id}`}>
      <h2 id={`exp-${experiment.id}`}>{experiment.name}</h2>
      <p className="meta">
        data set <strong>{experiment.dataset}</strong> · status <strong>{experiment.status}</strong>{' '}
        · {experiment.runs.length} runs · created {new Date(experiment.createdAt).toLocaleString()}
      </p>
      <RunsTable runs={experiment.runs} />
      <ClassAccuracyTable runs={experiment.runs} caption="Test accuracy per class" />
    </section>
  );
}

export default async function HomePage() {
  let experiments: Experiment[];
  try {
    experiments = await fetchExperiments();
  } catch (error) {
    if (!(error instanceof ApiUnavailableError)) throw error;
    return (
      <>
        <h1>Experiments</h1>
        <p className="error" role="alert">
          {error.message}
        </p>
        <AutoRefresh active />
      </>
    );
  }
  const live = experiments.some((e) =>
    e.runs.some((r) => r.status === 'running' || r.status === 'queued'),
  );
  return (
    <>
      <h1>Experiments</h1>
      {experiments.length === 0 ? (
        <p>No experiments yet. Run `npx kdlens demo` to train the demo study.</p>
      ) : (
        experiments.map((e) => <ExperimentCard key={e.id} experiment={e} />)
      )}
      <AutoRefresh active={live} />
    </>
  );
}

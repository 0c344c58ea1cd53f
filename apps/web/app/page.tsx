import Link from 'next/link';
import { AutoRefresh } from '@/components/auto-refresh.tsx';
import { ApiError, request } from '@/lib/graphql.ts';
import { graphql, type ResultOf } from '@/lib/graphql-document.ts';
import { ClassAccuracyTable } from './class-accuracy-table.tsx';
import { HomeRunFields, type HomeRun as Run } from './home-run.ts';

// The few newest studies, each with its runs; the per-class table only where it stays short.
const HomeQuery = graphql(
  `
    query Home {
      experiments(first: 5) {
        edges {
          node {
            id
            name
            dataset
            status
            createdAt
            classNames
            runs {
              ...HomeRunFields
            }
          }
        }
      }
    }
  `,
  [HomeRunFields],
);
type Experiment = ResultOf<typeof HomeQuery>['experiments']['edges'][number]['node'];
const MAX_CLASSES_ON_HOME = 50;

async function fetchRecentExperiments(): Promise<Experiment[]> {
  const data = await request(HomeQuery, {});
  return data.experiments.edges.map((e) => e.node);
}

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
            <th scope="col">arm</th>
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
              <td>{run.label}</td>
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
      <p>
        <Link href={`/experiments/${experiment.id}`}>Overview, classes, groups and runs →</Link>
      </p>
      <RunsTable runs={experiment.runs} />
      {experiment.classNames.length <= MAX_CLASSES_ON_HOME && (
        <ClassAccuracyTable runs={experiment.runs} caption="Test accuracy per class" />
      )}
    </section>
  );
}

export default async function HomePage() {
  let experiments: Experiment[];
  try {
    experiments = await fetchRecentExperiments();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return (
      <>
        <h1>Recent experiments</h1>
        <p className="error" role="alert">
          {error.message}
        </p>
        {/* Retry only what can heal by itself (API down or slow), not a missing sign-in. */}
        <AutoRefresh active={error.code === 'UNREACHABLE' || error.code === 'TIMEOUT'} />
      </>
    );
  }
  const live = experiments.some((e) =>
    e.runs.some((r) => r.status === 'running' || r.status === 'queued'),
  );
  return (
    <>
      <h1>Recent experiments</h1>
      {experiments.length === 0 ? (
        <p>
          No experiments yet. Run `npx kdlens demo` to train the demo study, or{' '}
          <Link href="/launch">launch one</Link>.
        </p>
      ) : (
        experiments.map((e) => <ExperimentCard key={e.id} experiment={e} />)
      )}
      <p>
        <Link href="/experiments">All experiments →</Link>
      </p>
      <AutoRefresh active={live} />
    </>
  );
}

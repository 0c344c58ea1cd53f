import Link from 'next/link';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { AutoRefresh } from '@/components/auto-refresh.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { ProgressMeter } from '@/components/progress-meter.tsx';
import { StatusBadge } from '@/components/status-badge.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { list } from '@/lib/format.ts';
import { attempt, request } from '@/lib/graphql.ts';
import {
  type ExperimentStatus,
  enumValues,
  graphql,
  type ResultOf,
} from '@/lib/graphql-document.ts';
import { hrefWith, param, type SearchParams } from '@/lib/search-params.ts';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Experiments · KDLens' };

const PAGE_SIZES = [10, 20, 50, 100] as const;

const experimentStatuses = enumValues<ExperimentStatus>()([
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
]);

const ExperimentsQuery = graphql(`
  query Experiments($filter: ExperimentFilter, $first: Int, $after: String) {
    experiments(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          dataset
          status
          teacherArchitecture
          studentArchitecture
          temperatures
          seeds
          progress
          createdAt
        }
      }
    }
  }
`);
type Connection = ResultOf<typeof ExperimentsQuery>['experiments'];
type ExperimentListItem = Connection['edges'][number]['node'];

function isStatus(text: string | undefined): text is ExperimentStatus {
  return experimentStatuses.some((s) => s === text);
}

function ExperimentRow({ experiment: e }: { experiment: ExperimentListItem }) {
  return (
    <tr data-testid="experiment-row">
      <th scope="row">
        <Link href={`/experiments/${e.id}`}>{e.name}</Link>
      </th>
      <td>{e.dataset}</td>
      <td>
        {e.teacherArchitecture ?? '?'} → {e.studentArchitecture ?? '?'}
      </td>
      <td className="num">{list(e.temperatures)}</td>
      <td className="num">{e.seeds.length}</td>
      <td>
        <StatusBadge status={e.status} />
      </td>
      <td>
        <ProgressMeter value={e.progress} label={`${e.name} progress`} />
      </td>
      <td>
        <time dateTime={e.createdAt}>{e.createdAt.slice(0, 16).replace('T', ' ')}</time>
      </td>
    </tr>
  );
}

/** Search by name, filter by data set and status; the form is a GET so the URL holds the state. */
function ExperimentFilters({
  q,
  dataset,
  status,
  first,
}: {
  q: string | undefined;
  dataset: string | undefined;
  status: string | undefined;
  first: number;
}) {
  return (
    <search>
      <form method="get" action="/experiments" className="filters">
        <label>
          Name contains
          <input type="search" name="q" defaultValue={q} />
        </label>
        <label>
          Data set
          <input type="text" name="dataset" defaultValue={dataset} list="dataset-names" />
        </label>
        <label>
          Status
          <select name="status" defaultValue={status ?? ''}>
            <option value="">any</option>
            {experimentStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Per page
          <select name="first" defaultValue={String(first)}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Apply</button>
        {(q || dataset || status) && <Link href="/experiments">Clear</Link>}
      </form>
    </search>
  );
}

export default async function ExperimentsPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const params = await searchParams;
  const q = param(params, 'q');
  const dataset = param(params, 'dataset');
  const statusText = param(params, 'status');
  const status = isStatus(statusText) ? statusText : undefined;
  const after = param(params, 'after');
  const firstText = Number(param(params, 'first') ?? 20);
  const first = PAGE_SIZES.find((n) => n === firstText) ?? 20;
  const filter = {
    ...(q ? { name: q } : {}),
    ...(dataset ? { dataset } : {}),
    ...(status ? { status } : {}),
  };
  const result = await attempt(() =>
    request(ExperimentsQuery, { filter, first, after: after ?? null }),
  );
  const state = { q, dataset, status, first: first === 20 ? undefined : first };
  return (
    <>
      <h1>Experiments</h1>
      <ExperimentFilters q={q} dataset={dataset} status={status} first={first} />
      {!result.ok ? (
        <ApiErrorNotice error={result.error} what="the experiments" />
      ) : (
        <ExperimentTable
          connection={result.value.experiments}
          filtered={Object.keys(filter).length > 0}
          firstPageHref={after ? hrefWith('/experiments', state) : undefined}
          nextPageHref={
            result.value.experiments.pageInfo.hasNextPage &&
            result.value.experiments.pageInfo.endCursor
              ? hrefWith('/experiments', {
                  ...state,
                  after: result.value.experiments.pageInfo.endCursor,
                })
              : undefined
          }
        />
      )}
    </>
  );
}

function ExperimentTable({
  connection,
  filtered,
  firstPageHref,
  nextPageHref,
}: {
  connection: Connection;
  filtered: boolean;
  firstPageHref: string | undefined;
  nextPageHref: string | undefined;
}) {
  const experiments = connection.edges.map((e) => e.node);
  if (experiments.length === 0) {
    return (
      <EmptyState>
        {filtered ? (
          <p>No experiment matches these filters.</p>
        ) : (
          <p>
            No experiments yet. <Link href="/launch">Launch one</Link> or run `npx kdlens demo`.
          </p>
        )}
      </EmptyState>
    );
  }
  const live = experiments.some((e) => e.status === 'running' || e.status === 'pending');
  return (
    <>
      <datalist id="dataset-names">
        {[...new Set(experiments.map((e) => e.dataset))].map((d) => (
          <option key={d} value={d} />
        ))}
      </datalist>
      <div className="section-heading">
        <p className="meta" data-testid="experiment-count">
          {connection.totalCount} experiment{connection.totalCount === 1 ? '' : 's'}
        </p>
        <CsvButton
          fileName="experiments.csv"
          header={[
            'name',
            'dataset',
            'teacher',
            'student',
            'temperatures',
            'seeds',
            'status',
            'progress',
          ]}
          rows={experiments.map((e) => [
            e.name,
            e.dataset,
            e.teacherArchitecture,
            e.studentArchitecture,
            e.temperatures.join(' '),
            e.seeds.join(' '),
            e.status,
            e.progress,
          ])}
        />
      </div>
      <div className="table-wrap">
        <table data-testid="experiments-table">
          <caption className="visually-hidden">Experiments, newest first</caption>
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">data set</th>
              <th scope="col">teacher → student</th>
              <th scope="col" className="num">
                temperatures
              </th>
              <th scope="col" className="num">
                seeds
              </th>
              <th scope="col">status</th>
              <th scope="col">progress</th>
              <th scope="col">created (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {experiments.map((e) => (
              <ExperimentRow key={e.id} experiment={e} />
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label="Pages" className="pager">
        {firstPageHref && <Link href={firstPageHref}>← First page</Link>}
        {nextPageHref && <Link href={nextPageHref}>Next page →</Link>}
      </nav>
      <AutoRefresh active={live} />
    </>
  );
}

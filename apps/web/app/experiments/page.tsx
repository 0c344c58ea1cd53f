import Link from 'next/link';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { AutoRefresh } from '@/components/auto-refresh.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { ProgressMeter } from '@/components/progress-meter.tsx';
import { SortableHeader, type SortDirection } from '@/components/sortable-header.tsx';
import { StatusBadge } from '@/components/status-badge.tsx';
import { TagChips } from '@/components/tag-chips.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { tagOrUndefined } from '@/lib/annotation-fields.ts';
import { decimal, list, percent } from '@/lib/format.ts';
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

/**
 * The sortable columns: the URL's `sort` value, the API's ExperimentSort. The list is sorted by
 * the API (it is paginated: sorting one page here would misorder the rest), so a header is a
 * link that changes the URL.
 */
const sortColumns = [
  { param: 'teacher', sort: 'TEACHER_ACCURACY', label: 'teacher acc.' },
  { param: 'nds', sort: 'NDS_ACCURACY', label: 'NDS acc.' },
  { param: 'kd', sort: 'BEST_DISTILLED_ACCURACY', label: 'best KD acc. (T)' },
  { param: 'dpd', sort: 'MAX_DPD', label: 'max DPD' },
  { param: 'created', sort: 'CREATED_AT', label: 'created (UTC)' },
] as const;
type SortParam = (typeof sortColumns)[number]['param'];
/** Newest first, as the list has always opened. */
const DEFAULT_SORT: SortParam = 'created';
const DEFAULT_ORDER: SortDirection = 'desc';

const ExperimentsQuery = graphql(`
  query Experiments(
    $filter: ExperimentFilter
    $first: Int
    $after: String
    $sort: ExperimentSort
    $order: SortOrder
  ) {
    experiments(filter: $filter, first: $first, after: $after, sort: $sort, order: $order) {
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
          tags
          headline {
            teacherAccuracy
            ndsAccuracy
            bestDistilledAccuracy
            bestDistilledTemperature
            maxDpd
            maxDpdAttribute
          }
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

/** Page state the URL keeps; sort and order only when not the default. */
interface ListState {
  q: string | undefined;
  dataset: string | undefined;
  status: string | undefined;
  tag: string | undefined;
  first: number | undefined;
  sort: SortParam | undefined;
  order: SortDirection | undefined;
}

function ExperimentRow({ experiment: e }: { experiment: ExperimentListItem }) {
  const h = e.headline;
  return (
    <tr data-testid="experiment-row">
      <th scope="row">
        <Link href={`/experiments/${e.id}`}>{e.name}</Link>
        <TagChips tags={e.tags} label={`Tags of ${e.name}`} />
      </th>
      <td>{e.dataset}</td>
      <td>
        {e.teacherArchitecture ?? '?'} → {e.studentArchitecture ?? '?'}
      </td>
      <td className="num">{list(e.temperatures)}</td>
      <td className="num">{e.seeds.length}</td>
      <td className="num" data-testid="cell-teacher">
        {percent(h?.teacherAccuracy)}
      </td>
      <td className="num" data-testid="cell-nds">
        {percent(h?.ndsAccuracy)}
      </td>
      <td className="num" data-testid="cell-kd">
        {percent(h?.bestDistilledAccuracy)}
        {h?.bestDistilledTemperature != null && (
          <span className="meta"> (T={h.bestDistilledTemperature})</span>
        )}
      </td>
      <td className="num" data-testid="cell-dpd">
        {decimal(h?.maxDpd, 3)}
        {h?.maxDpdAttribute != null && <span className="meta"> ({h.maxDpdAttribute})</span>}
      </td>
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

/** Search by name, filter by data set, status and tag; the form is a GET so the URL holds the state. */
function ExperimentFilters({ state, tagText }: { state: ListState; tagText: string | undefined }) {
  const { q, dataset, status, tag } = state;
  const tagRefused = tagText !== undefined && tag === undefined;
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
          Tag
          <input
            type="text"
            name="tag"
            defaultValue={tagText}
            aria-invalid={tagRefused ? true : undefined}
            data-testid="tag-filter"
          />
        </label>
        <label>
          Per page
          <select name="first" defaultValue={String(state.first ?? 20)}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {state.sort && <input type="hidden" name="sort" value={state.sort} />}
        {state.order && <input type="hidden" name="order" value={state.order} />}
        <button type="submit">Apply</button>
        {(q || dataset || status || tagText) && <Link href="/experiments">Clear</Link>}
      </form>
      {tagRefused && (
        <p className="error-inline" role="alert">
          “{tagText.slice(0, 40)}” is not a tag (lowercase letters, digits, - _ ., at most 32
          characters); showing every experiment.
        </p>
      )}
    </search>
  );
}

function isSortParam(text: string | undefined): text is SortParam {
  return sortColumns.some((c) => c.param === text);
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
  const tagText = param(params, 'tag');
  const tag = tagOrUndefined(tagText);
  const sortText = param(params, 'sort');
  const sort = isSortParam(sortText) ? sortText : DEFAULT_SORT;
  const orderText = param(params, 'order');
  const order: SortDirection =
    orderText === 'asc' || orderText === 'desc' ? orderText : DEFAULT_ORDER;
  const after = param(params, 'after');
  const firstText = Number(param(params, 'first') ?? 20);
  const first = PAGE_SIZES.find((n) => n === firstText) ?? 20;
  const filter = {
    ...(q ? { name: q } : {}),
    ...(dataset ? { dataset } : {}),
    ...(status ? { status } : {}),
    ...(tag ? { tag } : {}),
  };
  const column = sortColumns.find((c) => c.param === sort) ?? sortColumns[4];
  const result = await attempt(() =>
    request(ExperimentsQuery, {
      filter,
      first,
      after: after ?? null,
      sort: column.sort,
      order: order === 'asc' ? 'ASC' : 'DESC',
    }),
  );
  const state: ListState = {
    q,
    dataset,
    status,
    tag,
    first: first === 20 ? undefined : first,
    sort: sort === DEFAULT_SORT && order === DEFAULT_ORDER ? undefined : sort,
    order: sort === DEFAULT_SORT && order === DEFAULT_ORDER ? undefined : order,
  };
  return (
    <>
      <h1>Experiments</h1>
      <ExperimentFilters state={state} tagText={tagText} />
      {!result.ok ? (
        <ApiErrorNotice error={result.error} what="the experiments" />
      ) : (
        <ExperimentTable
          connection={result.value.experiments}
          filtered={Object.keys(filter).length > 0}
          state={state}
          sort={sort}
          order={order}
          firstPageHref={after ? hrefWith('/experiments', { ...state }) : undefined}
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

/** The list sorted by `param`: the other direction when it already sorts by it, else descending. */
function sortHref(state: ListState, current: SortParam, order: SortDirection, param: SortParam) {
  const next: SortDirection = param === current && order === 'desc' ? 'asc' : 'desc';
  const isDefault = param === DEFAULT_SORT && next === DEFAULT_ORDER;
  // A new order starts at its first page.
  return hrefWith('/experiments', {
    ...state,
    sort: isDefault ? undefined : param,
    order: isDefault ? undefined : next,
  });
}

function ExperimentTable({
  connection,
  filtered,
  state,
  sort,
  order,
  firstPageHref,
  nextPageHref,
}: {
  connection: Connection;
  filtered: boolean;
  state: ListState;
  sort: SortParam;
  order: SortDirection;
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
  const header = (param: SortParam, numeric = true) => {
    const c = sortColumns.find((col) => col.param === param);
    if (!c) return null;
    return (
      <SortableHeader
        label={c.label}
        numeric={numeric}
        direction={sort === param ? order : undefined}
        href={sortHref(state, sort, order, param)}
        testId={`experiments-sort-${param}`}
      />
    );
  };
  const sortedBy = sortColumns.find((c) => c.param === sort)?.label ?? 'created';
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
          {state.tag && (
            <>
              {' '}
              tagged <strong data-testid="active-tag">{state.tag}</strong>
            </>
          )}
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
            'teacher_accuracy',
            'nds_accuracy',
            'best_distilled_accuracy',
            'best_distilled_temperature',
            'max_dpd',
            'max_dpd_attribute',
            'tags',
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
            e.headline?.teacherAccuracy ?? null,
            e.headline?.ndsAccuracy ?? null,
            e.headline?.bestDistilledAccuracy ?? null,
            e.headline?.bestDistilledTemperature ?? null,
            e.headline?.maxDpd ?? null,
            e.headline?.maxDpdAttribute ?? null,
            e.tags.join(' '),
            e.status,
            e.progress,
          ])}
        />
      </div>
      <div className="table-wrap">
        <table data-testid="experiments-table">
          <caption className="visually-hidden">
            Experiments by {sortedBy}, {order === 'asc' ? 'ascending' : 'descending'}; experiments
            without that number last
          </caption>
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
              {header('teacher')}
              {header('nds')}
              {header('kd')}
              {header('dpd')}
              <th scope="col">status</th>
              <th scope="col">progress</th>
              {header('created', false)}
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

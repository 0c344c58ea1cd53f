import Link from 'next/link';
import type { RunCurve } from '@/charts/run-curves.ts';
import { RunCurvesChart } from '@/charts/run-curves-chart.tsx';
import { RunCurvesLegend } from '@/charts/run-curves-legend.tsx';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { AutoRefresh } from '@/components/auto-refresh.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { ProgressMeter } from '@/components/progress-meter.tsx';
import { StatusBadge } from '@/components/status-badge.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { decimal, duration, percent } from '@/lib/format.ts';
import { attempt, request } from '@/lib/graphql.ts';
import { graphql } from '@/lib/graphql-document.ts';
import { type Run, RunFields } from '@/lib/run-fields.ts';
import { isLive, runLabel } from '@/lib/run-label.ts';
import { COMPARE_PARAM, MAX_COMPARED_RUNS, parseRunSelection } from '@/lib/run-selection.ts';
import { param, type SearchParams } from '@/lib/search-params.ts';
import { canOperate, loadViewer } from '@/lib/viewer.ts';
import { CancelRunButton } from './cancel-run-button.tsx';
import { CompareCheckbox } from './compare-checkbox.tsx';

export const dynamic = 'force-dynamic';

const RunsQuery = graphql(
  `
    query Runs($id: ID!) {
      experiment(id: $id) {
        id
        runs {
          ...RunFields
        }
      }
    }
  `,
  [RunFields],
);

const CurvesQuery = graphql(`
  query RunCurves($ids: [ID!]!) {
    runs(ids: $ids) {
      id
      experimentId
      role
      label
      seed
      history {
        epoch
        loss
        trainAccuracy
        evalAccuracy
      }
    }
  }
`);

/** The ticked runs' learning curves overlaid: loss, train and (when evaluated) test accuracy. */
function CurvesSection({ curves, experimentId }: { curves: RunCurve[]; experimentId: string }) {
  const evaluated = curves.some((c) => c.history.some((h) => h.evalAccuracy !== null));
  return (
    <section className="curves" data-testid="curves" aria-labelledby="curves-heading">
      <div className="section-heading">
        <h2 id="curves-heading">Learning curves</h2>
        <Link href={`/experiments/${experimentId}/runs`} scroll={false}>
          Clear selection
        </Link>
      </div>
      <RunCurvesLegend runs={curves} />
      <div className="chart-grid">
        <RunCurvesChart runs={curves} measure="loss" fileName="curves-loss" />
        <RunCurvesChart runs={curves} measure="trainAccuracy" fileName="curves-train-accuracy" />
        {evaluated && (
          <RunCurvesChart runs={curves} measure="evalAccuracy" fileName="curves-test-accuracy" />
        )}
      </div>
    </section>
  );
}

function RunRow({
  run,
  experimentId,
  operator,
}: {
  run: Run;
  experimentId: string;
  operator: boolean;
}) {
  const label = runLabel(run);
  return (
    <tr data-testid="run-row" data-status={run.status}>
      <th scope="row">
        <span className="run-name">
          <CompareCheckbox runId={run.id} label={label} />
          <Link href={`/experiments/${experimentId}/runs/${run.id}`}>{label}</Link>
        </span>
      </th>
      <td>{run.architecture}</td>
      <td>
        <StatusBadge status={run.status} />
        {run.error && <span className="run-error"> {run.error}</span>}
      </td>
      <td>
        <ProgressMeter value={run.progress} label={`${label} progress`} />
      </td>
      <td className="num">{run.epoch}</td>
      <td className="num">{decimal(run.loss, 4)}</td>
      <td className="num">{percent(run.accuracy)}</td>
      <td className="num">{run.imagesPerSec === null ? '–' : Math.round(run.imagesPerSec)}</td>
      <td className="num">{isLive(run) ? duration(run.etaSeconds) : '–'}</td>
      <td>{run.backend ?? '–'}</td>
      {operator && (
        <td>
          {isLive(run) ? (
            <CancelRunButton runId={run.id} experimentId={experimentId} label={label} />
          ) : null}
        </td>
      )}
    </tr>
  );
}

export default async function RunsPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { id } = await params;
  const selection = parseRunSelection(param(await searchParams, COMPARE_PARAM));
  const [viewer, result, curvesResult] = await Promise.all([
    loadViewer(),
    attempt(() => request(RunsQuery, { id })),
    selection.length === 0 ? null : attempt(() => request(CurvesQuery, { ids: selection })),
  ]);
  if (!result.ok) return <ApiErrorNotice error={result.error} what="the runs" />;
  const runs = result.value.experiment?.runs ?? [];
  // Runs of another experiment, or unknown ids, in a shared link are left out.
  const curves: RunCurve[] =
    curvesResult?.ok === true
      ? curvesResult.value.runs.flatMap((r) =>
          r && r.experimentId === id ? [{ ...r, label: runLabel(r) }] : [],
        )
      : [];
  const operator = canOperate(viewer);
  if (runs.length === 0) {
    return (
      <EmptyState>
        <p>No runs recorded yet.</p>
      </EmptyState>
    );
  }
  const live = runs.some(isLive);
  const done = runs.filter((r) => r.status === 'succeeded').length;
  return (
    <>
      <div className="section-heading">
        <h2>Runs</h2>
        <div className="export-bar">
          <CsvButton
            fileName="runs.csv"
            header={[
              'role',
              'temperature',
              'seed',
              'architecture',
              'status',
              'progress',
              'epoch',
              'loss',
              'accuracy',
              'images_per_sec',
              'eta_seconds',
              'backend',
            ]}
            rows={runs.map((r) => [
              r.role,
              r.temperature,
              r.seed,
              r.architecture,
              r.status,
              r.progress,
              r.epoch,
              r.loss,
              r.accuracy,
              r.imagesPerSec,
              r.etaSeconds,
              r.backend,
            ])}
          />
        </div>
      </div>
      <p className="meta" data-testid="runs-summary">
        {done} of {runs.length} runs finished
      </p>
      {curvesResult?.ok === false && (
        <ApiErrorNotice error={curvesResult.error} what="the learning curves" />
      )}
      {curves.length > 0 ? (
        <CurvesSection curves={curves} experimentId={id} />
      ) : (
        <p className="hint" data-testid="curves-hint">
          Tick up to {MAX_COMPARED_RUNS} runs to overlay their learning curves; the selection is
          kept in the address, so the link shows the same curves.
        </p>
      )}
      <div className="table-wrap">
        <table data-testid="runs-table">
          <caption className="visually-hidden">Runs of this experiment with live progress</caption>
          <thead>
            <tr>
              <th scope="col">run</th>
              <th scope="col">architecture</th>
              <th scope="col">status</th>
              <th scope="col">progress</th>
              <th scope="col" className="num">
                epoch
              </th>
              <th scope="col" className="num">
                loss
              </th>
              <th scope="col" className="num">
                accuracy
              </th>
              <th scope="col" className="num">
                images/s
              </th>
              <th scope="col" className="num">
                ETA
              </th>
              <th scope="col">backend</th>
              {operator && (
                <th scope="col">
                  <span className="visually-hidden">actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <RunRow key={run.id} run={run} experimentId={id} operator={operator} />
            ))}
          </tbody>
        </table>
      </div>
      <AutoRefresh active={live} />
    </>
  );
}

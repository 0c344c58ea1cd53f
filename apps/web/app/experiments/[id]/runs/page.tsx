import Link from 'next/link';
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
import { canOperate, loadViewer } from '@/lib/viewer.ts';
import { CancelRunButton } from './cancel-run-button.tsx';

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
        <Link href={`/experiments/${experimentId}/runs/${run.id}`}>{label}</Link>
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

export default async function RunsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [viewer, result] = await Promise.all([
    loadViewer(),
    attempt(() => request(RunsQuery, { id })),
  ]);
  if (!result.ok) return <ApiErrorNotice error={result.error} what="the runs" />;
  const runs = result.value.experiment?.runs ?? [];
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

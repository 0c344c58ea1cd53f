import Link from 'next/link';
import { notFound } from 'next/navigation';
import { LearningCurveChart } from '@/charts/learning-curve-chart.tsx';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { AutoRefresh } from '@/components/auto-refresh.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { ProgressMeter } from '@/components/progress-meter.tsx';
import { StatusBadge } from '@/components/status-badge.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { decimal, duration, percent } from '@/lib/format.ts';
import { attempt, request } from '@/lib/graphql.ts';
import { graphql } from '@/lib/graphql-document.ts';
import { EpochMetricsFields, RunFields } from '@/lib/run-fields.ts';
import { isLive, runLabel } from '@/lib/run-label.ts';
import { canOperate, loadViewer } from '@/lib/viewer.ts';
import { CancelRunButton } from '../cancel-run-button.tsx';

export const dynamic = 'force-dynamic';

const RunQuery = graphql(
  `
    query Run($id: ID!) {
      run(id: $id) {
        ...RunFields
        attempt
        worker
        heartbeatAt
        history {
          ...EpochMetricsFields
        }
      }
    }
  `,
  [RunFields, EpochMetricsFields],
);

export default async function RunPage({
  params,
}: {
  params: Promise<{ id: string; runId: string }>;
}) {
  const { id, runId } = await params;
  const [viewer, result] = await Promise.all([
    loadViewer(),
    attempt(() => request(RunQuery, { id: runId })),
  ]);
  if (!result.ok) return <ApiErrorNotice error={result.error} what="this run" />;
  const run = result.value.run;
  // The API answers null for an unknown run; a run of another experiment is not found here either.
  if (!run || run.experimentId !== id) notFound();
  const label = runLabel(run);
  return (
    <>
      <p>
        <Link href={`/experiments/${id}/runs`}>← All runs</Link>
      </p>
      <h2 data-testid="run-title">{label}</h2>
      <dl className="facts" data-testid="run-facts">
        <dt>status</dt>
        <dd>
          <StatusBadge status={run.status} />{' '}
          {run.error && <span className="run-error">{run.error}</span>}
        </dd>
        <dt>progress</dt>
        <dd>
          <ProgressMeter value={run.progress} label="run progress" /> epoch {run.epoch}
        </dd>
        <dt>loss</dt>
        <dd>{decimal(run.loss)}</dd>
        <dt>test accuracy</dt>
        <dd>{percent(run.accuracy)}</dd>
        <dt>images/s</dt>
        <dd>{run.imagesPerSec === null ? '–' : Math.round(run.imagesPerSec)}</dd>
        <dt>ETA</dt>
        <dd>{isLive(run) ? duration(run.etaSeconds) : '–'}</dd>
        <dt>architecture · backend</dt>
        <dd>
          {run.architecture} · {run.backend ?? '–'}
        </dd>
        <dt>attempt · worker</dt>
        <dd>
          {run.attempt} · {run.worker ?? '–'}
        </dd>
      </dl>
      {canOperate(viewer) && isLive(run) && (
        <CancelRunButton runId={run.id} experimentId={id} label={label} />
      )}
      {run.history.length === 0 ? (
        <EmptyState>
          <p>No epoch finished yet; the curves appear after the first.</p>
        </EmptyState>
      ) : (
        <>
          <div className="chart-grid">
            <LearningCurveChart
              history={run.history}
              measure="loss"
              fileName={`run-${run.id}-loss`}
            />
            <LearningCurveChart
              history={run.history}
              measure="accuracy"
              fileName={`run-${run.id}-accuracy`}
            />
          </div>
          <div className="section-heading">
            <h3>Per epoch</h3>
            <div className="export-bar">
              <CsvButton
                fileName={`run-${run.id}-history.csv`}
                header={[
                  'epoch',
                  'loss',
                  'train_accuracy',
                  'test_accuracy',
                  'images_per_sec',
                  'seconds',
                ]}
                rows={run.history.map((h) => [
                  h.epoch,
                  h.loss,
                  h.trainAccuracy,
                  h.evalAccuracy,
                  h.imagesPerSec,
                  h.seconds,
                ])}
              />
            </div>
          </div>
          <div className="table-wrap">
            <table data-testid="history-table">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    epoch
                  </th>
                  <th scope="col" className="num">
                    loss
                  </th>
                  <th scope="col" className="num">
                    train accuracy
                  </th>
                  <th scope="col" className="num">
                    test accuracy
                  </th>
                  <th scope="col" className="num">
                    images/s
                  </th>
                  <th scope="col" className="num">
                    seconds
                  </th>
                </tr>
              </thead>
              <tbody>
                {run.history.map((h) => (
                  <tr key={h.epoch}>
                    <th scope="row" className="num">
                      {h.epoch}
                    </th>
                    <td className="num">{decimal(h.loss)}</td>
                    <td className="num">{percent(h.trainAccuracy)}</td>
                    <td className="num">{percent(h.evalAccuracy)}</td>
                    <td className="num">
                      {h.imagesPerSec === null ? '–' : Math.round(h.imagesPerSec)}
                    </td>
                    <td className="num">{decimal(h.seconds, 1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <AutoRefresh active={isLive(run)} />
    </>
  );
}

import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { ProgressMeter } from '@/components/progress-meter.tsx';
import { StatusBadge } from '@/components/status-badge.tsx';
import { loadExperimentHeader } from '@/lib/experiment.ts';
import { list } from '@/lib/format.ts';
import { canOperate, loadViewer } from '@/lib/viewer.ts';
import { DownloadMenu } from './download-menu.tsx';
import { ExperimentAnnotations } from './experiment-annotations.tsx';
import { ExperimentTabs } from './experiment-tabs.tsx';

/** The experiment's name and set-up above every tab. */
export default async function ExperimentLayout({
  params,
  children,
}: {
  params: Promise<{ id: string }>;
  children: ReactNode;
}) {
  const { id } = await params;
  const [result, viewer] = await Promise.all([loadExperimentHeader(id), loadViewer()]);
  if (!result.ok) return <ApiErrorNotice error={result.error} what="this experiment" />;
  const e = result.value;
  if (!e) notFound();
  return (
    <>
      <h1 data-testid="experiment-name">{e.name}</h1>
      <p className="meta">
        data set <strong>{e.dataset}</strong> · {e.teacherArchitecture ?? '?'} →{' '}
        {e.studentArchitecture ?? '?'} · T = {list(e.temperatures)} · {e.seeds.length} seed
        {e.seeds.length === 1 ? '' : 's'} · <StatusBadge status={e.status} />{' '}
        {e.status === 'running' || e.status === 'pending' ? (
          <ProgressMeter value={e.progress} label="experiment progress" />
        ) : null}
      </p>
      <ExperimentAnnotations
        experimentId={e.id}
        tags={e.tags}
        note={e.note}
        canEdit={canOperate(viewer)}
      />
      <div className="experiment-bar">
        <ExperimentTabs id={e.id} />
        <Link href={`/compare?ids=${e.id}`} className="compare-link" data-testid="compare-with">
          Compare with…
        </Link>
        <DownloadMenu experimentId={e.id} />
      </div>
      {children}
    </>
  );
}

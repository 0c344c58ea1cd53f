import type { ExperimentStatus, RunStatus } from '@/lib/graphql-document.ts';

/** A run's or experiment's status as a word with a colour (never colour alone). */
export function StatusBadge({ status }: { status: RunStatus | ExperimentStatus }) {
  return <span className={`status status-${status}`}>{status}</span>;
}

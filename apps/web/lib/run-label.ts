import { armName } from './arms.ts';
import type { Run } from './schemas.ts';

/** "KD T=4 · seed 2": the arm in the paper's words and the seed. */
export function runLabel(run: Pick<Run, 'role' | 'temperature' | 'seed'>): string {
  return `${armName(run)} · seed ${run.seed}`;
}

export function isLive(run: Pick<Run, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/** The Run fields the runs table and the run page read (lib/schemas.ts runSchema). */
export const RUN_FIELDS = /* GraphQL */ `
  id experimentId role temperature seed architecture backend status progress epoch
  loss accuracy imagesPerSec etaSeconds error startedAt finishedAt
`;

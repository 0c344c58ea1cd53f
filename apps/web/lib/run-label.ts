import type { Run } from './run-fields.ts';

/** "KD T=4 · seed 2": the arm in the paper's words (the API's `label`) and the seed. */
export function runLabel(run: Pick<Run, 'label' | 'seed'>): string {
  return `${run.label} · seed ${run.seed}`;
}

export function isLive(run: Pick<Run, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

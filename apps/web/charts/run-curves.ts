import type { RunRole } from '@/lib/graphql-document.ts';
import { palette } from './palette.ts';

/** One run's curve: its finished epochs, as Run.history gives them. */
export interface RunCurve {
  id: string;
  role: RunRole;
  /** "KD T=4 · seed 1": arm, temperature and seed. */
  label: string;
  history: readonly {
    epoch: number;
    loss: number | null;
    trainAccuracy: number | null;
    evalAccuracy: number | null;
  }[];
}

export type CurveMeasure = 'loss' | 'trainAccuracy' | 'evalAccuracy';

const dashes = ['none', '6 3', '2 3', '9 3 2 3', '12 5', '4 2 1 2'];

/**
 * Colour by arm (the palette every chart uses: teacher, NDS, distilled), dash by the run's place
 * among the compared runs of its arm, so two seeds or two temperatures of an arm stay apart.
 */
export function curveStyles(runs: readonly Pick<RunCurve, 'role'>[]): {
  stroke: string;
  dash: string;
}[] {
  const seen: Partial<Record<RunRole, number>> = {};
  return runs.map((run) => {
    const n = seen[run.role] ?? 0;
    seen[run.role] = n + 1;
    return {
      stroke: palette[run.role],
      dash: dashes[n % dashes.length] ?? 'none',
    };
  });
}

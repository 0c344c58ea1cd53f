import { type Correction, corrections } from './schemas.ts';

export const correctionLabels: Record<Correction, string> = {
  none: 'no correction',
  holm: 'Holm',
  bh: 'Benjamini–Hochberg',
};

export function isCorrection(text: string | undefined): text is Correction {
  return corrections.some((c) => c === text);
}

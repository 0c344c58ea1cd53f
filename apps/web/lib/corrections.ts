import { type Correction, enumValues } from './graphql-document.ts';

export const corrections = enumValues<Correction>()(['none', 'holm', 'bh']);

export const correctionLabels: Record<Correction, string> = {
  none: 'no correction',
  holm: 'Holm',
  bh: 'Benjamini–Hochberg',
};

export function isCorrection(text: string | undefined): text is Correction {
  return corrections.some((c) => c === text);
}

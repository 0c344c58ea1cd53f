/**
 * A tiny synthetic text task for trainer tests: label 1 iff token 7 occurs anywhere in the
 * (right-padded) sequence. Learning it needs the model to look at every position, padding
 * masked, which is what the text path must get right; balanced so chance is 0.5.
 */
import { createRng } from '../../random/rng.ts';
import type { TextSplit } from './splits.ts';

export const KEYWORD = 7;
export const KEYWORD_VOCAB = 12;

export function keywordTexts(count: number, maxLength: number, seed: number): TextSplit {
  const rng = createRng(seed);
  const tokens = new Int32Array(count * maxLength);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const length = 3 + rng.int(maxLength - 2);
    const positive = i % 2 === 0;
    for (let t = 0; t < length; t++) {
      // Ids 1..11 except the keyword; the keyword is planted below for positives.
      let id = 1 + rng.int(KEYWORD_VOCAB - 2);
      if (id >= KEYWORD) id++;
      tokens[i * maxLength + t] = id;
    }
    if (positive) tokens[i * maxLength + rng.int(length)] = KEYWORD;
    labels[i] = positive ? 1 : 0;
  }
  return { kind: 'text', tokens, maxLength, labels, count, classNames: ['absent', 'present'] };
}

import { expect, it } from 'vitest';
import { labelConsistency } from './label-consistency.ts';

it('is 1 minus the mean share of neighbours (self included) with another label', () => {
  // k = 2, each point's neighbours: itself and one other.
  const neighbours = Int32Array.from([0, 1, 1, 0, 2, 3, 3, 2]);
  const yPred = [0, 0, 2, 1];
  // points 0, 1 agree with their neighbour (share 0); points 2, 3 disagree (share 1/2 each)
  expect(labelConsistency(neighbours, 2, yPred)).toBe(1 - (0 + 0 + 0.5 + 0.5) / 4);
});

import { describe, expect, it } from 'vitest';
import { epochPermutation } from './epoch-order.ts';

describe('epochPermutation', () => {
  it('is a permutation that depends only on (seed, epoch)', () => {
    const a = epochPermutation(50, 7, 3);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochPermutation(50, 7, 3)).toEqual(a);
    expect(epochPermutation(50, 7, 4)).not.toEqual(a);
    expect(epochPermutation(50, 8, 3)).not.toEqual(a);
  });
});

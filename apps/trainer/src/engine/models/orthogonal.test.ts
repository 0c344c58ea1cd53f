import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededOrthogonal } from './orthogonal.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('seededOrthogonal', () => {
  it.each([
    [4, 12],
    [12, 4],
  ])('%i×%i has orthonormal rows/columns (Q Qᵀ = I on the short side)', (rows, cols) => {
    const q = seededOrthogonal(rows, cols, 3);
    expect(q.shape).toEqual([rows, cols]);
    const gram = tf.tidy(() =>
      rows <= cols ? tf.matMul(q, q, false, true) : tf.matMul(q, q, true, false),
    );
    const n = Math.min(rows, cols);
    const values = gram.arraySync() as number[][];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) expect(values[i]?.[j]).toBeCloseTo(i === j ? 1 : 0, 5);
    tf.dispose([q, gram]);
  });

  it('is a function of the seed', () => {
    const [a, b, c] = [
      seededOrthogonal(3, 6, 1),
      seededOrthogonal(3, 6, 1),
      seededOrthogonal(3, 6, 2),
    ];
    expect(a.arraySync()).toEqual(b.arraySync());
    expect(a.arraySync()).not.toEqual(c.arraySync());
    tf.dispose([a, b, c]);
  });
});

import { describe, expect, it } from 'vitest';
import { cellTitle } from './class-group-cell-title.ts';

describe('cellTitle', () => {
  it('names the cell class-major and gives its numbers', () => {
    // 2 classes × 3 groups: cell 4 is class 1 ("dog"), group 1 ("b").
    const tooltip = {
      examples: [5, 5, 5, 6, 7, 8],
      from: { label: 'Teacher', mean: [0, 0, 0, 0, 0.75, 0] },
      to: { label: 'KD T=4', mean: [0, 0, 0, 0, 0.5, 0] },
      change: {
        delta: [0, 0, 0, 0, -0.25, 0],
        lower: [0, 0, 0, 0, -0.5, 0],
        upper: [0, 0, 0, 0, null, 0],
      },
    };
    expect(cellTitle(tooltip, ['cat', 'dog'], ['a', 'b', 'c'], 4)).toBe(
      'dog · b (7 test examples)\nTeacher: 75.00% → KD T=4: 50.00%\nchange −25.00 pp [−50.00 pp, –]',
    );
    expect(
      cellTitle({ examples: [1], shown: { label: 'NDS', mean: [0.125] } }, ['cat'], ['a'], 0),
    ).toBe('cat · a (1 test examples)\nfrom: – → to: –\nNDS: 12.50%');
  });
});

import { describe, expect, it } from 'vitest';
import { curveStyles } from './run-curves.ts';

describe('curveStyles', () => {
  it("colours each line by its arm and dashes runs of one arm apart, in the arm's order", () => {
    const styles = curveStyles([
      { role: 'distilled' },
      { role: 'teacher' },
      { role: 'distilled' },
      { role: 'student' },
      { role: 'distilled' },
    ]);
    expect(styles).toEqual([
      { stroke: 'var(--series-distilled)', dash: 'none' },
      { stroke: 'var(--series-teacher)', dash: 'none' },
      { stroke: 'var(--series-distilled)', dash: '6 3' },
      { stroke: 'var(--series-student)', dash: 'none' },
      { stroke: 'var(--series-distilled)', dash: '2 3' },
    ]);
  });

  it('cycles the six dashes past six runs of one arm', () => {
    const styles = curveStyles(Array.from({ length: 7 }, () => ({ role: 'teacher' as const })));
    expect(styles[6]?.dash).toBe(styles[0]?.dash);
    expect(new Set(styles.slice(0, 6).map((s) => s.dash)).size).toBe(6);
  });
});

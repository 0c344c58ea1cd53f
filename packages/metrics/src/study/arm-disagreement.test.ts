import { describe, expect, it } from 'vitest';
import { loadFixture, relativeError } from '../../fixtures/stats/load-fixture.ts';
import { armDisagreement, armDisagreementOverall } from './arm-disagreement.ts';

interface Reference {
  mean: number;
  sd: number;
  values: number[];
}
interface Fixture {
  numClasses: number;
  yTrue: number[];
  pairs: { a: number[]; b: number[] }[];
  overall: Reference;
  examples: number[];
  perClass: Reference[];
}

describe('armDisagreement', () => {
  it('counts by hand: overall and per class, per seed, then over seeds', () => {
    // Seed 0: differ on #1 (class 0) and #3 (class 1) → overall 2/5; class 0 1/3, class 1 1/2.
    // Seed 1: differ on #4 only (class 1) → overall 1/5; class 0 0, class 1 1/2. Class 2: none.
    const yTrue = [0, 0, 0, 1, 1];
    const d = armDisagreement(
      [
        { a: [0, 1, 2, 1, 0], b: [0, 0, 2, 0, 0] },
        { a: [0, 0, 0, 1, 1], b: [0, 0, 0, 1, 2] },
      ],
      yTrue,
      3,
    );
    expect(d.overall.values).toEqual([2 / 5, 1 / 5]);
    expect(d.overall.mean).toBeCloseTo(3 / 10, 15);
    // sd of {0.4, 0.2} with ddof 1: |0.4 − 0.2| / √2.
    expect(d.overall.sd).toBeCloseTo(0.2 / Math.SQRT2, 15);
    expect(d.perClass[0]?.values).toEqual([1 / 3, 0]);
    expect(d.perClass[1]?.values).toEqual([1 / 2, 1 / 2]);
    expect(d.perClass[1]?.sd).toBe(0);
    expect(d.perClass[2]?.mean).toBeNaN();
    expect(Array.from(d.examples)).toEqual([3, 2, 0]);
    // The CI is the bootstrap of the mean: inside the range of the seeds' values.
    expect(d.overall.lower).toBeGreaterThanOrEqual(0.2);
    expect(d.overall.upper).toBeLessThanOrEqual(0.4);
  });

  it('one seed: the CI collapses to the value', () => {
    const d = armDisagreement([{ a: [0, 1], b: [1, 1] }], [0, 1], 2);
    expect(d.overall).toMatchObject({ mean: 0.5, lower: 0.5, upper: 0.5 });
    expect(d.overall.sd).toBeNaN();
  });

  it('matches numpy / pandas (arm_disagreement.py)', () => {
    const f = loadFixture<Fixture>('arm_disagreement.json');
    const d = armDisagreement(f.pairs, f.yTrue, f.numClasses);
    const close = (actual: number, expected: number) => {
      expect(relativeError(actual, expected)).toBeLessThan(1e-12);
    };
    close(d.overall.mean, f.overall.mean);
    close(d.overall.sd, f.overall.sd);
    for (const [i, v] of f.overall.values.entries()) close(d.overall.values[i] as number, v);
    expect(Array.from(d.examples)).toEqual(f.examples);
    f.perClass.forEach((ref, c) => {
      const got = d.perClass[c];
      if (!got) throw new Error(`class ${c} missing`);
      close(got.mean, ref.mean);
      close(got.sd, ref.sd);
      for (const [i, v] of ref.values.entries()) close(got.values[i] as number, v);
    });
  });

  it('names the pair and argument at fault', () => {
    expect(() => armDisagreement([], [0], 2)).toThrow('pairs: must hold at least one pair');
    expect(() =>
      armDisagreement(
        [
          { a: [0, 1], b: [0, 1] },
          { a: [0, 1], b: [0, 1, 1] },
        ],
        [0, 1],
        2,
      ),
    ).toThrow('pairs[1]: yPredB: has 3 elements but yTrue has 2');
  });
});

describe('armDisagreementOverall', () => {
  it('counts by hand, as armDisagreement overall does', () => {
    // Seed 0 differs on #1 and #3 → 2/5; seed 1 differs on #4 only → 1/5 (the hand count above).
    const pairs = [
      { a: [0, 1, 2, 1, 0], b: [0, 0, 2, 0, 0] },
      { a: [0, 0, 0, 1, 1], b: [0, 0, 0, 1, 2] },
    ];
    const o = armDisagreementOverall(pairs, 5);
    expect(o.values).toEqual([2 / 5, 1 / 5]);
    expect(o.mean).toBeCloseTo(3 / 10, 15);
    expect(o.sd).toBeCloseTo(0.2 / Math.SQRT2, 15);
    const bootstrap = { iterations: 500, seed: 7 };
    expect(armDisagreementOverall(pairs, 5, bootstrap)).toEqual(
      armDisagreement(pairs, [0, 0, 0, 1, 1], 3, bootstrap).overall,
    );
  });

  it('equals armDisagreement overall on the numpy fixture', () => {
    const f = loadFixture<Fixture>('arm_disagreement.json');
    const o = armDisagreementOverall(f.pairs, f.yTrue.length);
    expect(o).toEqual(armDisagreement(f.pairs, f.yTrue, f.numClasses).overall);
    expect(relativeError(o.mean, f.overall.mean)).toBeLessThan(1e-12);
    expect(relativeError(o.sd, f.overall.sd)).toBeLessThan(1e-12);
  });

  it('names the pair and argument at fault', () => {
    expect(() => armDisagreementOverall([], 1)).toThrow('pairs: must hold at least one pair');
    expect(() => armDisagreementOverall([{ a: [0, 1], b: [0] }], 2)).toThrow(
      'pairs[0]: b: has 1 elements but there are 2 test examples',
    );
    expect(() => armDisagreementOverall([{ a: [0], b: [0] }], -1)).toThrow('n: must be');
  });
});

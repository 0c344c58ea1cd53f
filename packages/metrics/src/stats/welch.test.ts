import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture, relativeError } from '../../fixtures/stats/load-fixture.ts';
import { MetricsInputError } from '../input/metrics-input-error.ts';
import { welchTTest } from './welch.ts';

interface Reference {
  t: number;
  p: number;
  /** scipy's internal df (it substitutes 1 when both variances are 0). */
  scipyDf: number;
}
interface Recipe {
  n: number;
  mult: number;
  mod: number;
  scale: number;
  shift: number;
}
interface WelchFixture {
  cases: Array<Reference & { kind: string; a: number[]; b: number[] }>;
  recipes: Array<Reference & { a: Recipe; b: Recipe }>;
}

const fixture = loadFixture<WelchFixture>('welch.json');

/** Rebuilds a large sample bit for bit as welch.py does (see its docstring). */
function fromRecipe({ n, mult, mod, scale, shift }: Recipe): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = shift + scale * (((i * mult) % mod) / mod - 0.5);
  return out;
}

describe('welchTTest', () => {
  it('computes a 3-vs-3 test by hand', () => {
    // a = [1, 2, 3]: mean 2, s² = (1 + 0 + 1)/2 = 1.  b = [4, 6, 8]: mean 6, s² = (4 + 0 + 4)/2 = 4.
    // SE² = 1/3 + 4/3 = 5/3, t = (2 − 6)/√(5/3).
    // df = (5/3)² / ((1/3)²/2 + (4/3)²/2) = (25/9) / (17/18) = 50/17.
    const { t, df, pValue } = welchTTest([1, 2, 3], [4, 6, 8]);
    expect(t).toBeCloseTo(-4 / Math.sqrt(5 / 3), 14);
    expect(df).toBeCloseTo(50 / 17, 14);
    // scipy.stats.ttest_ind([1, 2, 3], [4, 6, 8], equal_var=False).pvalue
    expect(relativeError(pValue, 0.05478676604107639)).toBeLessThan(1e-12);
  });

  it('computes a test with an integer df by hand (closed-form p for df = 2)', () => {
    // a = [1, 2, 3] (mean 2, s² = 1), b = [5, 5, 5] (s² = 0): SE² = 1/3, t = −3/√(1/3) = −3√3,
    // df = (1/3)² / ((1/3)²/2) = 2, and for df = 2, p = 1 − |t|/√(2 + t²) = 1 − 3√3/√29.
    const { t, df, pValue } = welchTTest([1, 2, 3], [5, 5, 5]);
    expect(t).toBeCloseTo(-3 * Math.sqrt(3), 14);
    expect(df).toBeCloseTo(2, 14);
    expect(pValue).toBeCloseTo(1 - (3 * Math.sqrt(3)) / Math.sqrt(29), 14);
  });

  it('matches scipy ttest_ind(equal_var=False) to 1e-9 on every fixture case', () => {
    expect(fixture.cases.length).toBeGreaterThan(300);
    for (const { kind, a, b, t, p, scipyDf } of fixture.cases) {
      const got = welchTTest(a, b);
      const label = `${kind}: a = [${a.slice(0, 3).join(', ')}, …] (n ${a.length}), b n ${b.length}`;
      expect(relativeError(got.t, t), label).toBeLessThan(1e-9);
      expect(relativeError(got.pValue, p), label).toBeLessThan(1e-9);
      // Both samples constant: scipy's df is a placeholder 1; ours is NaN (see welch.ts).
      const bothConstant = !Number.isFinite(t) || Number.isNaN(t);
      if (bothConstant) expect(got.df, label).toBeNaN();
      else expect(relativeError(got.df, scipyDf), label).toBeLessThan(1e-9);
    }
  });

  it('matches scipy in the far tail and at df ~ 1 and ~ 1e5', () => {
    const tails = fixture.cases.filter((c) => c.kind === 'tail' || c.kind === 'small-df');
    expect(Math.min(...tails.map((c) => c.p))).toBeLessThan(1e-80);
    expect(Math.min(...tails.map((c) => c.scipyDf))).toBeLessThan(1.01);
    for (const { a, b, t, p } of tails) {
      const got = welchTTest(a, b);
      expect(relativeError(got.t, t)).toBeLessThan(1e-9);
      expect(relativeError(got.pValue, p)).toBeLessThan(1e-9);
    }
    expect(Math.max(...fixture.recipes.map((r) => r.scipyDf))).toBeGreaterThan(1e5);
    for (const recipe of fixture.recipes) {
      const got = welchTTest(fromRecipe(recipe.a), fromRecipe(recipe.b));
      const label = `recipe n ${recipe.a.n}, p ${recipe.p}`;
      expect(relativeError(got.t, recipe.t), label).toBeLessThan(1e-9);
      expect(relativeError(got.df, recipe.scipyDf), label).toBeLessThan(1e-9);
      expect(relativeError(got.pValue, recipe.p), label).toBeLessThan(1e-9);
    }
  });

  it('follows scipy on zero variance', () => {
    // Both constant and equal: 0/0.
    expect(welchTTest([1, 1, 1], [1, 1, 1])).toEqual({
      t: Number.NaN,
      df: Number.NaN,
      pValue: Number.NaN,
    });
    // Both constant, different: scipy gives t = −inf, p = 0.
    expect(welchTTest([1, 1, 1], [2, 2, 2])).toEqual({
      t: Number.NEGATIVE_INFINITY,
      df: Number.NaN,
      pValue: 0,
    });
    expect(welchTTest([2, 2], [1, 1, 1, 1]).t).toBe(Number.POSITIVE_INFINITY);
    // One constant: an ordinary test with df = n − 1 of the other sample.
    expect(welchTTest([5, 5, 5], [1, 2, 3, 4]).df).toBeCloseTo(3, 14);
  });

  it('gives t = 0 and p = 1 for identical samples', () => {
    expect(welchTTest([1, 2, 3, 7], [1, 2, 3, 7])).toEqual({ t: 0, df: 6, pValue: 1 });
  });

  it('is antisymmetric: swapping a and b negates t and keeps df and p', () => {
    const sample = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
      minLength: 2,
      maxLength: 30,
    });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const ab = welchTTest(a, b);
        const ba = welchTTest(b, a);
        if (Number.isNaN(ab.t)) {
          expect(ba.t).toBeNaN();
          return;
        }
        expect(ba.t).toBe(-ab.t);
        expect(Object.is(ba.df, ab.df) || ba.df === ab.df).toBe(true);
        expect(ba.pValue).toBe(ab.pValue);
        expect(ab.pValue >= 0 && ab.pValue <= 1).toBe(true);
      }),
    );
  });

  it('rejects samples too small for a variance, and NaN, naming the argument and index', () => {
    expect(() => welchTTest([1], [1, 2])).toThrow(
      'a: needs at least 2 values for a sample variance, got 1',
    );
    expect(() => welchTTest([1, 2], [])).toThrow(MetricsInputError);
    expect(() => welchTTest([1, 2], [3, Number.NaN, Number.NaN])).toThrow(
      'b[1]: NaN is not a finite number',
    );
    try {
      welchTTest([1, Number.POSITIVE_INFINITY], [1, 2]);
    } catch (error) {
      expect(error).toBeInstanceOf(MetricsInputError);
      expect((error as MetricsInputError).argument).toBe('a');
      expect((error as MetricsInputError).index).toBe(1);
    }
  });
});

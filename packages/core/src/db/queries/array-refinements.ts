import { z } from 'zod';
import { isNumericArray, type NumericArray } from './array-codec.ts';
import { ResultsInputError } from './results-errors.ts';

/**
 * Arrays at the results boundary are checked by hand-written loops inside zod refinements: a
 * per-element zod schema costs ~100× more, and ImageNet-scale runs carry 250,000 numbers each.
 */
export const numericArraySchema = z.custom<NumericArray>(
  isNumericArray,
  'expected an array or a typed array of numbers',
);

/** Adds an issue at the first element that is not an integer in [0, bound). */
export function checkIndices(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  values: NumericArray,
  bound: number,
  what: string,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= bound) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i],
        message: `${v} is not ${what} in [0, ${bound})`,
      });
      return;
    }
  }
}

/**
 * Adds an issue at the first value that is not finite, or, when `probabilitySlack` is a number,
 * not in [0, 1 + slack] (float32 softmax can round a hair above 1).
 */
export function checkFiniteValues(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  values: NumericArray,
  probabilitySlack: number | false,
): void {
  const probability = probabilitySlack !== false;
  const max = 1 + (probabilitySlack || 0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const ok = probability ? v >= 0 && v <= max : Number.isFinite(v);
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i],
        message: probability ? `${v} is not a probability in [0, 1]` : `${v} is not finite`,
      });
      return;
    }
  }
}

export function checkLength(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  values: { length: number },
  expected: number,
  why: string,
): boolean {
  if (values.length === expected) return true;
  ctx.addIssue({
    code: 'custom',
    path,
    message: `has ${values.length} values but ${why} needs ${expected}`,
  });
  return false;
}

/** Parses or throws a ResultsInputError naming the first problem (`where: path: message`). */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path =
    issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
  throw new ResultsInputError(
    `${where}: ${path.replace(/^\./, '') || 'input'}: ${issue?.message ?? 'invalid'}`,
  );
}

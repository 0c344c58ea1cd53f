/**
 * Bad input to a metric: names the argument and, where there is one, the first bad index, so
 * the caller can find the offending run, file line or example.
 */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
  constructor(
    /** The argument at fault, e.g. `yPred` or `armA[2].yTrue`. */
    readonly argument: string,
    message: string,
    /** The first bad element, when the fault is one element. */
    readonly index?: number,
  ) {
    super(`${argument}${index === undefined ? '' : `[${index}]`}: ${message}`);
  }
}

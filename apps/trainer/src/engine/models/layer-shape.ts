/** Shape helpers for the custom layers (tfjs passes one shape or a list of them). */
export type Shape = Array<number | null>;

export function shapeList(inputShape: Shape | Shape[]): Shape[] {
  const first = inputShape[0];
  return Array.isArray(first) ? (inputShape as Shape[]) : [inputShape as Shape];
}

export function firstShape(inputShape: Shape | Shape[]): Shape {
  const s = shapeList(inputShape)[0];
  if (s === undefined) throw new Error('expected at least one input shape');
  return s;
}

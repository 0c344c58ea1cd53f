import { UnsupportedInputShapeError } from './architecture-errors.ts';

/** An NHWC image input without the batch dimension. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** Validates `[height, width, channels]`; the predicate states what the model supports. */
export function imageShape(
  architecture: string,
  inputShape: readonly number[],
  supported: (s: ImageShape) => boolean,
  expected: string,
): ImageShape {
  const [height, width, channels] = inputShape;
  if (
    inputShape.length !== 3 ||
    height === undefined ||
    width === undefined ||
    channels === undefined ||
    ![height, width, channels].every((d) => Number.isInteger(d) && d > 0)
  ) {
    throw new UnsupportedInputShapeError(
      architecture,
      inputShape,
      `[height, width, channels] (NHWC); ${expected}`,
    );
  }
  const shape = { height, width, channels };
  if (!supported(shape)) throw new UnsupportedInputShapeError(architecture, inputShape, expected);
  return shape;
}

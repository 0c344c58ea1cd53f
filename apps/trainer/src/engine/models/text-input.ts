import { InvalidModelOptionError, UnsupportedInputShapeError } from './architecture-errors.ts';

/** Validates a text input `[maxLength]` of int32 token ids (0 = padding) and the vocabulary size. */
export function textInput(
  architecture: string,
  inputShape: readonly number[],
  vocabSize: number | undefined,
): { maxLength: number; vocabSize: number } {
  const [maxLength] = inputShape;
  if (
    inputShape.length !== 1 ||
    maxLength === undefined ||
    !Number.isInteger(maxLength) ||
    maxLength < 1
  ) {
    throw new UnsupportedInputShapeError(
      architecture,
      inputShape,
      '[maxLength] of int32 token ids',
    );
  }
  if (vocabSize === undefined || !Number.isInteger(vocabSize) || vocabSize < 2) {
    throw new InvalidModelOptionError(
      architecture,
      'vocabSize',
      vocabSize,
      'an integer >= 2 (id 0 is padding)',
    );
  }
  return { maxLength, vocabSize };
}

import { DatasetFormatError } from './dataset-format-error.ts';

/** Awaits a load that must fail with a DatasetFormatError, and returns the error for checks. */
export async function catchFormatError(promise: Promise<unknown>): Promise<DatasetFormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DatasetFormatError)) {
    throw new Error(`expected a DatasetFormatError, got ${String(error)}`);
  }
  return error;
}

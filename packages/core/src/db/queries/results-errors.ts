import { KdlensError } from '../../errors.ts';

/** Results or a test set that do not fit: names the field, the example index and what was expected. */
export class ResultsInputError extends KdlensError {
  override readonly name = 'ResultsInputError';
}

/** A test set that would change under predictions already stored against the old one. */
export class TestSetConflictError extends KdlensError {
  override readonly name = 'TestSetConflictError';
}

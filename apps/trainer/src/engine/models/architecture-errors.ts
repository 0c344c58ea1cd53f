import { KdlensError } from '@kdlens/core';

/** Errors thrown while building an architecture; messages say what was expected. */

export class UnknownArchitectureError extends KdlensError {
  override readonly name = 'UnknownArchitectureError';
  constructor(name: string, valid: readonly string[]) {
    super(`Unknown architecture '${name}'. Valid architectures: ${valid.join(', ')}.`);
  }
}

export class UnsupportedInputShapeError extends KdlensError {
  override readonly name = 'UnsupportedInputShapeError';
  constructor(architecture: string, inputShape: readonly number[], expected: string) {
    super(
      `Architecture '${architecture}' does not support inputShape [${inputShape.join(', ')}]: expected ${expected}.`,
    );
  }
}

export class InvalidModelOptionError extends KdlensError {
  override readonly name = 'InvalidModelOptionError';
  constructor(architecture: string, field: string, value: unknown, expected: string) {
    super(
      `Architecture '${architecture}': option '${field}' = ${String(value)} is invalid: expected ${expected}.`,
    );
  }
}

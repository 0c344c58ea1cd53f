/** Errors thrown while building an architecture; messages say what was expected. */

export class UnknownArchitectureError extends Error {
  constructor(name: string, valid: readonly string[]) {
    super(`Unknown architecture '${name}'. Valid architectures: ${valid.join(', ')}.`);
    this.name = 'UnknownArchitectureError';
  }
}

export class UnsupportedInputShapeError extends Error {
  constructor(architecture: string, inputShape: readonly number[], expected: string) {
    super(
      `Architecture '${architecture}' does not support inputShape [${inputShape.join(', ')}]: expected ${expected}.`,
    );
    this.name = 'UnsupportedInputShapeError';
  }
}

export class InvalidModelOptionError extends Error {
  constructor(architecture: string, field: string, value: unknown, expected: string) {
    super(
      `Architecture '${architecture}': option '${field}' = ${String(value)} is invalid: expected ${expected}.`,
    );
    this.name = 'InvalidModelOptionError';
  }
}

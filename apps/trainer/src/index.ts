// Errors a user can act on (the CLI prints them as one line); the rest of their modules is internal.
export { DatasetFormatError } from './datasets/dataset-format-error.ts';
export { TrifeatureOptionError } from './datasets/trifeature/trifeature-option-error.ts';
export * from './engine/index.ts';
export {
  InvalidModelOptionError,
  UnknownArchitectureError,
  UnsupportedInputShapeError,
} from './engine/models/architecture-errors.ts';
export * from './study/index.ts';
export * from './worker/index.ts';

export { accuracy, classAccuracy } from './accuracy/class-accuracy.ts';
export { MetricsInputError } from './input/metrics-input-error.ts';
export type { Labels, Sensitive } from './input/validate.ts';

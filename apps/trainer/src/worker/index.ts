export { createProgressWriter, type ProgressWriter } from './progress-writer.ts';
export {
  type RunUnit,
  runClaimedUnit,
  type UnitContext,
  type UnitJob,
  type UnitResult,
} from './run-claimed-unit.ts';
export { type StartWorkersOptions, startWorkers, type Workers } from './start-workers.ts';
export { abortKind, UnitAbort, type UnitAbortKind } from './unit-abort.ts';

export {
  type EnqueuedStudy,
  type EnqueueStudyOptions,
  enqueueStudy,
  formatEnqueued,
} from './enqueue-study.ts';
export { experimentOfOtherSpec, readStudySpec, recordStudy } from './experiment-spec-store.ts';

export { loadStudyData, type StudyData, StudyDataError } from './load-study-data.ts';
export type { ProgressReporter, UnitProgress } from './progress-reporter.ts';
export { createStudyRunUnit, type StudyRunUnitOptions } from './study-run-unit.ts';
export { experimentIdsOf, runStudyWorker } from './study-worker.ts';
export { loadTeacher } from './teacher-weights.ts';
export { type DemoStudyResult, trainDemoStudy } from './train-demo-study.ts';
export { trainStudyLocally } from './train-study-locally.ts';

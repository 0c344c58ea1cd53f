import { type ExperimentSpec, type RunRole, scheduleInSteps } from '@kdlens/core';
import type { TrainUnitOptions } from '../engine/index.ts';
import type { StudyData } from './load-study-data.ts';

/** The run-row fields a unit's training depends on. */
export interface UnitIdentity {
  role: RunRole;
  seed: number;
  temperature: number | null;
}

/** trainUnit options that follow from the spec alone (no teacher, hooks or checkpoint paths). */
export type UnitTrainOptions = Omit<
  TrainUnitOptions,
  'teacher' | 'signal' | 'onProgress' | 'onEpoch' | 'checkpointDir' | 'resume'
>;

/**
 * The spec's arm for this unit (the teacher's for teachers, the student's for both students)
 * as trainUnit options. Everything the spec states is passed on, so the run is the spec's.
 */
export function unitTrainOptions(
  spec: ExperimentSpec,
  unit: UnitIdentity,
  data: StudyData,
): UnitTrainOptions {
  const model = unit.role === 'teacher' ? spec.teacher : spec.student;
  const stepsPerEpoch = Math.ceil(data.train.count / model.batchSize);
  const distilled =
    unit.role === 'distilled'
      ? {
          // planUnits sets a temperature exactly on distilled units; the queue copies it.
          temperature: unit.temperature ?? Number.NaN,
          alpha: spec.kd.alpha,
        }
      : {};
  return {
    role: unit.role,
    architecture: model.architecture,
    data: {
      train: data.train,
      test: data.test,
      ...(data.val === undefined ? {} : { val: data.val }),
    },
    epochs: model.epochs,
    batchSize: model.batchSize,
    learningRate: model.learningRate,
    seed: unit.seed,
    ...distilled,
    numClasses: data.numClasses,
    modelOptions: {
      ...model.options,
      ...(data.vocabSize === undefined ? {} : { vocabSize: data.vocabSize }),
    },
    optimizer: model.optimizer,
    schedule: scheduleInSteps(model, stepsPerEpoch),
    ...(model.pretrained === undefined ? {} : { pretrained: { dir: model.pretrained } }),
    // Per-epoch accuracy (val if the spec asks for one, else test) for the run's history.
    evaluateEvery: 1,
    // Only a teacher's embedding is used (the test set's features, storeTeacherEmbedding); a
    // student's would be stored per run and never read (50,000 × 2048 floats each for ImageNet).
    features:
      unit.role === 'teacher' &&
      spec.evaluation.individualFairness.features === 'teacher-embedding',
    topK: spec.evaluation.topK,
    ...(spec.dataset.augment === undefined ? {} : { augment: spec.dataset.augment }),
  };
}

/**
 * Individual fairness in the teacher's embedding space (`evaluation.individualFairness.features:
 * teacher-embedding`) needs that embedding of the test set, which exists only once a teacher has
 * trained. The first teacher of the study to succeed stores its penultimate-layer features of the
 * test examples as the test set's features; every arm's Lipschitz and kNN consistency are then
 * measured in that one space, so arms stay comparable.
 */
import type { ExperimentSpec, Logger } from '@kdlens/core';
import type { Database } from '@kdlens/core/db';
import { MAX_ATTACHED_FEATURE_VALUES, recordTestSetFeatures } from '@kdlens/core/results';
import type { PenultimateFeatures } from '../engine/index.ts';

export async function storeTeacherEmbedding(
  db: Database,
  experimentId: string,
  spec: ExperimentSpec,
  features: PenultimateFeatures | undefined,
  log: Logger,
): Promise<void> {
  if (spec.evaluation.individualFairness.features !== 'teacher-embedding') return;
  if (features === undefined) {
    throw new Error('the teacher was trained without its penultimate features');
  }
  if (features.values.length > MAX_ATTACHED_FEATURE_VALUES) {
    // Bounded: a bytea holds at most 1 GB. The study goes on without individual fairness.
    log.warn(
      { values: features.values.length, d: features.d, cap: MAX_ATTACHED_FEATURE_VALUES },
      'the teacher embedding of the test set is too large to store; no individual fairness',
    );
    return;
  }
  const outcome = await recordTestSetFeatures(db, experimentId, features);
  log.info(
    { status: outcome?.status ?? 'no test set', d: features.d },
    'teacher embedding as the test set features',
  );
}

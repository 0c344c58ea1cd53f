/**
 * The experiment spec (in @kdlens/core) names data sets, architectures, optimizers and schedules
 * that this app implements; core cannot import the trainer, so these tests hold the two together
 * (architecture names need none: the model builder imports core's list).
 */
import {
  datasetNames,
  datasetTraits,
  type LrSchedule as SpecLrSchedule,
  type OptimizerConfig as SpecOptimizerConfig,
} from '@kdlens/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { hatexplainCategories } from './datasets/hatexplain.loader.ts';
import { datasets } from './datasets/registry.ts';
import { trifeatureAttributeNames } from './datasets/trifeature/index.ts';
import type { OptimizerConfig } from './engine/training/optimizers.ts';
import type { LrSchedule } from './engine/training/schedules.ts';

// Compile-time: each side's config is assignable to the other, so a spec's optimizer and
// schedule go to the trainer as they are, and a new trainer option fails typecheck here.
const optimizerToTrainer = (c: SpecOptimizerConfig): OptimizerConfig => c;
const optimizerToSpec = (c: OptimizerConfig): SpecOptimizerConfig => c;
const scheduleToTrainer = (s: SpecLrSchedule): LrSchedule => s;
const scheduleToSpec = (s: LrSchedule): SpecLrSchedule => s;

describe('spec names and shapes agree with the trainer', () => {
  it('data set names equal the registry’s, in its order', () => {
    expect([...datasetNames]).toEqual(datasets.map((d) => d.name));
  });

  it('optimizer and schedule configs are the same types', () => {
    expectTypeOf<SpecOptimizerConfig>().toEqualTypeOf<OptimizerConfig>();
    expectTypeOf<SpecLrSchedule>().toEqualTypeOf<LrSchedule>();
    expect([optimizerToTrainer, optimizerToSpec, scheduleToTrainer, scheduleToSpec]).toHaveLength(
      4,
    );
  });

  it('sensitive attributes the spec allows are the loaders’', () => {
    expect(datasetTraits.trifeature.attributes).toEqual(trifeatureAttributeNames);
    expect(datasetTraits.trifeature.labels).toEqual(trifeatureAttributeNames);
    expect(datasetTraits.hatexplain.attributes).toEqual(Object.keys(hatexplainCategories));
  });
});

// Shared by the resume tests: a unit's first attempt, stopped as a killed process would be.
import { expect } from 'vitest';
import { type TrainUnitOptions, trainUnit } from '../train-unit.ts';

/**
 * Trains `opts` with checkpoints in `checkpointDir` and aborts it right after epoch 1 has been
 * checkpointed ("process" 1 of a resume test); resolves once the abort has surfaced.
 */
export async function trainUntilStoppedAfterEpoch1(
  opts: TrainUnitOptions,
  checkpointDir: string,
): Promise<void> {
  const controller = new AbortController();
  await expect(
    trainUnit({
      ...opts,
      checkpointDir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.epoch === 1 && p.step === p.steps) controller.abort();
      },
    }),
  ).rejects.toThrow(/abort/i);
}

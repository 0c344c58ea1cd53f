/**
 * Learning-rate schedules as pure functions of the optimizer step.
 *
 * Everything is counted in optimizer steps (0-based), not epochs, so a schedule
 * is exact whatever the batch size; a recipe written in epochs ("÷10 at epochs
 * 100 and 150") converts with milestone × stepsPerEpoch.
 */

export type LrSchedule =
  | { name: 'constant'; warmupSteps?: number }
  | {
      name: 'step';
      /** Steps (0-based) from which the rate is multiplied by one more factor of gamma. */
      milestones: readonly number[];
      gamma: number;
      warmupSteps?: number;
    }
  | {
      name: 'cosine';
      /** Rate reached at the last step (default 0). */
      minLr?: number;
      warmupSteps?: number;
    };

function fail(message: string): never {
  throw new Error(`schedule: ${message}`);
}

export function validateSchedule(schedule: LrSchedule): void {
  const warmup = schedule.warmupSteps;
  if (warmup !== undefined && !(Number.isInteger(warmup) && warmup >= 0)) {
    fail(`warmupSteps must be an integer >= 0, got ${warmup}`);
  }
  switch (schedule.name) {
    case 'constant':
      return;
    case 'step':
      if (!(Number.isFinite(schedule.gamma) && schedule.gamma > 0)) {
        fail(`step.gamma must be a finite number > 0, got ${schedule.gamma}`);
      }
      for (const m of schedule.milestones) {
        if (!(Number.isInteger(m) && m >= 0))
          fail(`step.milestones must be integers >= 0, got ${m}`);
      }
      return;
    case 'cosine':
      if (
        schedule.minLr !== undefined &&
        !(Number.isFinite(schedule.minLr) && schedule.minLr >= 0)
      ) {
        fail(`cosine.minLr must be a finite number >= 0, got ${schedule.minLr}`);
      }
      return;
    default:
      fail(
        `name must be 'constant', 'step' or 'cosine', got '${String((schedule as { name: unknown }).name)}'`,
      );
  }
}

/**
 * Linear warm-up factor: (step + 1) / warmupSteps during warm-up, so the ramp
 * starts just above 0 and the first step already moves the weights (a step
 * with rate exactly 0 would still advance Adam's moments for nothing).
 */
function warmupFactor(step: number, warmupSteps: number): number {
  return step < warmupSteps ? (step + 1) / warmupSteps : 1;
}

/**
 * Rate for 0-based optimizer step `step` of a run of `totalSteps` steps.
 * Warm-up multiplies the underlying schedule; cosine anneals over the steps
 * after warm-up (SGDR without restarts, Loshchilov & Hutter 2017):
 *   lr = minLr + (base − minLr)·(1 + cos(π·p))/2,  p = (step − W)/(T − 1 − W) ∈ [0, 1]
 * so the last step runs at exactly minLr.
 */
export function learningRateAt(
  step: number,
  totalSteps: number,
  baseLr: number,
  schedule: LrSchedule,
): number {
  const warmup = schedule.warmupSteps ?? 0;
  let lr: number;
  switch (schedule.name) {
    case 'constant':
      lr = baseLr;
      break;
    case 'step': {
      const passed = schedule.milestones.filter((m) => step >= m).length;
      lr = baseLr * schedule.gamma ** passed;
      break;
    }
    case 'cosine': {
      const minLr = schedule.minLr ?? 0;
      const span = totalSteps - 1 - warmup;
      const p = span <= 0 ? 0 : Math.min(1, Math.max(0, (step - warmup) / span));
      lr = minLr + ((baseLr - minLr) * (1 + Math.cos(Math.PI * p))) / 2;
      break;
    }
  }
  return lr * warmupFactor(step, warmup);
}

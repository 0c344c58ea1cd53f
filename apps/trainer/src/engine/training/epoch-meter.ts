/** Running training metrics of one epoch: what progress events and the history report. */
export class EpochMeter {
  private lossSum = 0;
  private steps = 0;
  private correct = 0;
  private seen = 0;

  add(loss: number, correct: number, examples: number): void {
    this.lossSum += loss;
    this.steps++;
    this.correct += correct;
    this.seen += examples;
  }

  /** Mean of the step losses (each step's loss is already a batch mean). */
  get loss(): number {
    return this.steps === 0 ? Number.NaN : this.lossSum / this.steps;
  }

  /** Share of this epoch's training examples the training-mode forward pass got right. */
  get accuracy(): number {
    return this.seen === 0 ? Number.NaN : this.correct / this.seen;
  }

  get examples(): number {
    return this.seen;
  }
}

/** Remaining seconds at the step rate measured so far in this call (0 before the first step). */
export function etaSeconds(elapsedSeconds: number, stepsDone: number, stepsLeft: number): number {
  return stepsDone === 0 ? 0 : (elapsedSeconds / stepsDone) * stepsLeft;
}

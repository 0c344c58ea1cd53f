/**
 * How the study layer shows the progress of units that train elsewhere. The trainer owns the
 * interface and whoever starts the training implements it (the CLI draws terminal bars or writes
 * log lines), so the library depends on no terminal.
 */
export interface UnitProgress {
  fraction: number;
  epoch: number;
  epochs: number;
  loss: number;
  imagesPerSec: number;
}

export interface ProgressReporter {
  /** Whether it draws on this process's terminal, where worker log lines would break it up. */
  readonly drawsOnTerminal: boolean;
  /** Starts a bar for one unit of work, e.g. "KD T=4 seed 0". */
  unit(label: string): { update(p: UnitProgress): void; done(summary: string): void };
  stop(): void;
}

/**
 * How many exports may stream at once. Each one holds a pooled database connection and a read
 * snapshot for as long as its client reads, which a slow reader makes as long as it likes: the
 * pool (10 connections) must keep room for GraphQL, token checks and /readyz whatever exporters do.
 */
export const EXPORT_LIMITS = { perCaller: 2, total: 4 } as const;

export type ExportGateRefusal = 'caller' | 'server';

/** Counts streaming exports per caller and in all; entering past a limit is refused at once. */
export class ExportGate {
  private readonly byCaller = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: { perCaller: number; total: number } = EXPORT_LIMITS) {}

  /** A release function (idempotent), or which limit refused. */
  enter(callerKey: string): (() => void) | ExportGateRefusal {
    const mine = this.byCaller.get(callerKey) ?? 0;
    if (mine >= this.limits.perCaller) return 'caller';
    if (this.total >= this.limits.total) return 'server';
    this.byCaller.set(callerKey, mine + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byCaller.get(callerKey) ?? 1) - 1;
      if (left === 0) this.byCaller.delete(callerKey);
      else this.byCaller.set(callerKey, left);
    };
  }
}

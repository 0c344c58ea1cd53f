/** Why a unit's AbortSignal fired; the signal's `reason` is a UnitAbort. */
export type UnitAbortKind =
  /** cancel_requested was set on the run (kdlens cancel). The run ends 'cancelled'. */
  | 'cancelled'
  /** The run no longer names this worker (declared stale and requeued): stop, write nothing. */
  | 'lost'
  /** This worker is shutting down: the run goes back to the queue and resumes elsewhere. */
  | 'shutdown'
  /** The worker was abandoned (a simulated crash): nothing more is written. */
  | 'abandoned';

export class UnitAbort extends Error {
  override readonly name = 'UnitAbort';
  constructor(
    readonly kind: UnitAbortKind,
    message: string,
  ) {
    super(message);
  }
}

export function abortKind(signal: AbortSignal): UnitAbortKind | undefined {
  return signal.aborted && signal.reason instanceof UnitAbort ? signal.reason.kind : undefined;
}

/** The request had no answer within the limit; the client gets code TIMEOUT. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the request took longer than ${timeoutMs} ms (KDLENS_API_TIMEOUT_MS)`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * Runs `work` with a deadline. At the deadline the signal aborts and the promise rejects with
 * RequestTimeoutError, so the client is answered even if the work never ends. Work that ignores
 * the signal runs on, unobserved; a mutation cut off this way may still complete, so clients
 * re-read after a TIMEOUT instead of retrying blindly.
 */
export async function withTimeout<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new RequestTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const running = work(controller.signal);
  // After a timeout nobody awaits `running`; its failure must not become an unhandled rejection.
  running.catch(() => {});
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

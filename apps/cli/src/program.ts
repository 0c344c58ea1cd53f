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

/**
 * The `kdlens` command tree, built without parsing anything. main.ts runs it; the docs generator
 * (docs/cli-reference.page.ts) prints every command's own help from it, so docs/cli.md cannot
 * drift from what `--help` says. Commands import what they run inside their actions, so building
 * the tree loads nothing heavy.
 */
export function createProgram(): Command {
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
  return program;
}

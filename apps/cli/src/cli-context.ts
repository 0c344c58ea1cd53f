import { type Config, createLogger, type Logger, loadConfig } from '@kdlens/core';
import type { Warehouse } from '@kdlens/core/db';

export interface CliContext {
  config: Config;
  log: Logger;
}

let context: CliContext | undefined;

/** Config and logger, read once per process (a bad env var fails here, before any work). */
export function cliContext(): CliContext {
  if (!context) {
    const config = loadConfig();
    context = { config, log: createLogger(config.logLevel) };
  }
  return context;
}

// Heavy modules (drizzle, pg, tfjs, Apollo) load inside the commands that use them, so that
// `kdlens --help` and config errors answer at once.

/** Opens the warehouse for a one-shot command and always closes it (stopping an embedded server). */
export async function withWarehouse<T>(
  fn: (w: Warehouse, ctx: CliContext) => Promise<T>,
): Promise<T> {
  const ctx = cliContext();
  const { openWarehouse } = await import('@kdlens/core/db');
  const warehouse = await openWarehouse({ config: ctx.config, log: ctx.log });
  try {
    return await fn(warehouse, ctx);
  } finally {
    await warehouse.close();
  }
}

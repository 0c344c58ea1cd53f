import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Pretty, human lines in a terminal; JSON lines otherwise (CI, log shippers). Logs go to stderr
 * so that stdout stays free for command output such as reports.
 */
export function createLogger(level: string, name = 'kdlens'): Logger {
  const pretty = process.stderr.isTTY === true;
  return pino(
    { name, level },
    pretty
      ? pino.transport({
          target: 'pino-pretty',
          options: { destination: 2, colorize: true, ignore: 'pid,hostname' },
        })
      : pino.destination(2),
  );
}

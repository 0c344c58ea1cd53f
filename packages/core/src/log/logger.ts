import pino, { type Logger } from 'pino';
import { boundLogLine, serializeError } from './error-summary.ts';

export type { Logger };

/**
 * Pretty, human lines in a terminal; JSON lines otherwise (CI, log shippers). Logs go to stderr
 * so that stdout stays free for command output such as reports. Errors are logged without the
 * values they carry (a failed statement's parameters) and every line is bounded (error-summary.ts).
 */
export function createLogger(level: string, name = 'kdlens'): Logger {
  const pretty = process.stderr.isTTY === true;
  return pino(
    {
      name,
      level,
      serializers: { err: serializeError, error: serializeError },
      hooks: { streamWrite: boundLogLine },
    },
    pretty
      ? pino.transport({
          target: 'pino-pretty',
          options: { destination: 2, colorize: true, ignore: 'pid,hostname' },
        })
      : pino.destination(2),
  );
}

import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { boundLogLine, MAX_LOG_LINE, serializeError, summarizeError } from './error-summary.ts';

const secret = `SECRET-${'x'.repeat(100_000)}`;
const failed = () =>
  new DrizzleQueryError(
    'insert into "runs" ("id", "note")\n  values ($1, $2)',
    ['r1', secret],
    Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
      detail: `Key (note)=(${secret}) already exists.`,
    }),
  );

describe('failed statements', () => {
  it('are summarised by shape and parameter sizes, never by value', () => {
    const line = summarizeError(failed());
    expect(line).not.toContain('SECRET');
    expect(line).toContain('insert into "runs" ("id", "note") values ($?, $?)');
    // 2 parameters: "r1" is 2 bytes, the secret 7 + 100,000.
    expect(line).toContain('2 parameter(s), 100009 bytes');
    expect(line).toContain('invalid byte sequence');
  });

  it('serialise for pino without params, detail or the message in the stack', () => {
    const json = JSON.stringify(serializeError(failed()));
    expect(json).not.toContain('SECRET');
    expect(json.length).toBeLessThan(4000);
    const out = serializeError(failed());
    expect(out.params).toEqual({ count: 2, totalBytes: 100_009, largestBytes: 100_007 });
    expect((out.cause as Record<string, unknown>).code).toBe('22021');
  });
});

describe('log lines', () => {
  it('over the bound become a short line that keeps level, message and length', () => {
    const long = `${JSON.stringify({ level: 50, time: 1, msg: 'boom', blob: 'y'.repeat(MAX_LOG_LINE) })}\n`;
    const bounded = boundLogLine(long);
    expect(bounded.length).toBeLessThan(1000);
    expect(JSON.parse(bounded)).toEqual({
      level: 50,
      time: 1,
      msg: 'boom',
      truncated: true,
      originalLength: long.length,
    });
    const short = '{"level":30,"msg":"ok"}\n';
    expect(boundLogLine(short)).toBe(short);
  });
});

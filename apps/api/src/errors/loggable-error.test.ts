import { describe, expect, it } from 'vitest';
import { loggableError, MAX_LOGGED_TEXT } from './loggable-error.ts';

describe('loggableError', () => {
  it('keeps type, code, message and cause, and drops bulky properties', () => {
    const cause = Object.assign(new Error('bind message has 100000 parameters'), { code: '08P01' });
    const error = Object.assign(new Error('Failed query: insert …', { cause }), {
      params: Array.from({ length: 20_000 }, (_, i) => `value ${i}`),
    });
    const logged = loggableError(error);
    expect(logged).toMatchObject({
      type: 'Error',
      message: 'Failed query: insert …',
      cause: { type: 'Error', code: '08P01', message: 'bind message has 100000 parameters' },
    });
    expect(logged).not.toHaveProperty('params');
    expect(JSON.stringify(logged).length).toBeLessThan(4 * MAX_LOGGED_TEXT + 1000);
  });

  it('cuts a long message short and says by how much', () => {
    const logged = loggableError(new Error('x'.repeat(1_800_000)));
    expect(logged.message).toBe(`${'x'.repeat(MAX_LOGGED_TEXT)}… (1798000 more characters)`);
    expect(loggableError('plain')).toEqual({ message: 'plain' });
  });
});

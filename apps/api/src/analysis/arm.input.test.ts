import 'reflect-metadata';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parseAlpha, parseArm } from './arm.input.ts';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (error instanceof GraphQLError) return error.extensions.code;
    throw error;
  }
  return undefined;
};

describe('parseArm', () => {
  it('takes a temperature exactly for a distilled arm', () => {
    expect(parseArm({ role: 'teacher' }, 'a')).toEqual({ role: 'teacher', temperature: null });
    expect(parseArm({ role: 'student', temperature: null }, 'a')).toEqual({
      role: 'student',
      temperature: null,
    });
    expect(parseArm({ role: 'distilled', temperature: 4 }, 'b')).toEqual({
      role: 'distilled',
      temperature: 4,
    });
  });

  it('refuses a distilled arm without T, a T on another role, and T ≤ 0 as BAD_USER_INPUT', () => {
    expect(codeOf(() => parseArm({ role: 'distilled' }, 'b'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseArm({ role: 'teacher', temperature: 2 }, 'a'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseArm({ role: 'distilled', temperature: 0 }, 'a'))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('parseAlpha', () => {
  it('accepts [0, 1], as @kdlens/metrics does, and refuses the rest', () => {
    expect(parseAlpha(0)).toBe(0);
    expect(parseAlpha(1)).toBe(1);
    expect(codeOf(() => parseAlpha(1.01))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => parseAlpha(-0.01))).toBe('BAD_USER_INPUT');
  });
});

import { describe, expect, it } from 'vitest';
import {
  AnnotationError,
  annotationLimits,
  parseExperimentAnnotations,
  parseExperimentTag,
} from './experiment-annotations.ts';

function problem(input: unknown): AnnotationError {
  try {
    parseExperimentAnnotations(input);
  } catch (error) {
    if (error instanceof AnnotationError) return error;
    throw error;
  }
  throw new Error('expected an AnnotationError');
}

describe('parseExperimentAnnotations', () => {
  it('trims and de-duplicates tags in the order given, and stores a blank note as none', () => {
    expect(
      parseExperimentAnnotations({ tags: [' resnet ', 'kd-t4', 'resnet', 'v1.2_b'], note: '  ' }),
    ).toEqual({ tags: ['resnet', 'kd-t4', 'v1.2_b'], note: null });
    expect(parseExperimentAnnotations({ tags: [], note: 'first try\nwith cutout' })).toEqual({
      tags: [],
      note: 'first try\nwith cutout',
    });
  });

  it('accepts exactly the limits', () => {
    const tags = Array.from({ length: 16 }, (_, i) => `t${i}`);
    const long = 'a'.repeat(32);
    const note = 'n'.repeat(4000);
    expect(parseExperimentAnnotations({ tags: [...tags.slice(1), long], note })).toEqual({
      tags: [...tags.slice(1), long],
      note,
    });
    expect(annotationLimits).toEqual({ tagChars: 32, tagsPerExperiment: 16, noteChars: 4000 });
  });

  it('names the bad tag by its index', () => {
    const upper = problem({ tags: ['ok', 'Bad'], note: null });
    expect(upper.field).toBe('tags[1]');
    expect(upper.message).toMatch(/^tags\[1\]: lowercase letters/);
    expect(problem({ tags: ['a b'], note: null }).field).toBe('tags[0]');
    expect(problem({ tags: ['-lead'], note: null }).field).toBe('tags[0]');
    expect(problem({ tags: ['x', '', 'y'], note: null }).message).toBe(
      'tags[1]: a tag cannot be empty',
    );
    expect(problem({ tags: ['a'.repeat(33)], note: null }).message).toBe(
      'tags[0]: at most 32 characters',
    );
  });

  it('names tags and note when they are too many or too long', () => {
    const seventeen = Array.from({ length: 17 }, (_, i) => `t${i}`);
    expect(problem({ tags: seventeen, note: null }).message).toBe(
      'tags: at most 16 tags per experiment',
    );
    expect(problem({ tags: [], note: 'n'.repeat(4001) }).message).toBe(
      'note: at most 4000 characters',
    );
    expect(problem({ tags: 'resnet', note: null }).field).toBe('tags');
  });
});

describe('parseExperimentTag', () => {
  it('answers a valid tag trimmed and names the field of a bad one', () => {
    expect(parseExperimentTag(' cifar ', 'tag')).toBe('cifar');
    expect(() => parseExperimentTag('CIFAR', 'tag')).toThrow(/^tag: lowercase letters/);
  });
});

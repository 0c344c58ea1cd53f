import { describe, expect, it } from 'vitest';
import { annotationFieldsSchema, tagOrUndefined } from './annotation-fields.ts';

describe('annotationFieldsSchema', () => {
  it('splits tags on commas and spaces, keeping the first of duplicates', () => {
    expect(
      annotationFieldsSchema.parse({ id: 'x', tags: ' cifar, resnet  kd-t4,cifar ', note: '' }),
    ).toEqual({ id: 'x', tags: ['cifar', 'resnet', 'kd-t4'], note: '' });
  });

  it("keeps a form's CRLF line breaks as LF, and counts them so", () => {
    const note = `${'n'.repeat(3998)}\r\nx`;
    expect(annotationFieldsSchema.parse({ id: 'x', tags: '', note }).note).toBe(
      `${'n'.repeat(3998)}\nx`,
    );
  });

  it('refuses a bad tag by name, too many tags and a long note', () => {
    const bad = annotationFieldsSchema.safeParse({ id: 'x', tags: 'ok Bad', note: '' });
    expect(bad.success ? undefined : bad.error.issues[0]?.message).toBe(
      `"Bad": lowercase letters, digits, '-', '_' and '.' only, starting with a letter or digit`,
    );
    const many = Array.from({ length: 17 }, (_, i) => `t${i}`).join(' ');
    const tooMany = annotationFieldsSchema.safeParse({ id: 'x', tags: many, note: '' });
    expect(tooMany.success ? undefined : tooMany.error.issues[0]?.message).toBe(
      'at most 16 tags per experiment',
    );
    const long = annotationFieldsSchema.safeParse({ id: 'x', tags: '', note: 'n'.repeat(4001) });
    expect(long.success ? undefined : long.error.issues[0]?.path).toEqual(['note']);
  });
});

describe('tagOrUndefined', () => {
  it('takes a tag and drops what is not one', () => {
    expect(tagOrUndefined(' cifar ')).toBe('cifar');
    expect(tagOrUndefined('CIFAR')).toBeUndefined();
    expect(tagOrUndefined('a'.repeat(33))).toBeUndefined();
    expect(tagOrUndefined(undefined)).toBeUndefined();
  });
});

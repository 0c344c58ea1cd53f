import { describe, expect, it } from 'vitest';
import { findUnstorableCharacter, lineAt, unstorableCharacterIn } from './unstorable-character.ts';

describe('findUnstorableCharacter', () => {
  it('gives the path of the first string or key holding U+0000', () => {
    expect(findUnstorableCharacter({ a: ['ok', { b: 'x\u0000y' }] })?.path).toEqual(['a', 1, 'b']);
    expect(findUnstorableCharacter({ ok: 1, 'k\u0000': 2 })?.path).toEqual(['k\u0000']);
    expect(findUnstorableCharacter('\u0000')).toEqual({
      path: [],
      index: 0,
      description: 'a NUL character (\\u0000)',
    });
    expect(findUnstorableCharacter({ a: ['\\u0000 is six characters', null, 3, true] })).toBeNull();
  });

  it('finds unpaired surrogates, in values and keys, and lets pairs be', () => {
    expect(findUnstorableCharacter({ d: 'ok \ud83d\ude00 \ud800' })).toEqual({
      path: ['d'],
      index: 6,
      description: 'an unpaired surrogate (\\ud800)',
    });
    expect(findUnstorableCharacter({ ['\udc00k']: 1 })?.path).toEqual(['\udc00k']);
    // A low half first, then a pair: the low half is alone.
    expect(unstorableCharacterIn('\udc00\ud83d\ude00')?.index).toBe(0);
    // A high half at the very end, and one followed by another high half.
    expect(unstorableCharacterIn('ab\ud83d')?.description).toBe('an unpaired surrogate (\\ud83d)');
    expect(unstorableCharacterIn('\ud83d\ud83d\ude00')?.index).toBe(0);
    expect(findUnstorableCharacter(['😀', 'Zürich', '日本'])).toBeNull();
    // Independently: encodeURIComponent throws exactly on text that has no UTF-8 form.
    for (const s of ['\ud800', '\udfff', 'a\ud800b', '\ud83d\ude00', '\ud83d', '\udc00\ud800']) {
      let encodable = true;
      try {
        encodeURIComponent(s);
      } catch {
        encodable = false;
      }
      expect(unstorableCharacterIn(s) === null, JSON.stringify(s)).toBe(encodable);
    }
  });

  it('walks 200,000 levels and circular values without recursion', () => {
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findUnstorableCharacter(deep)?.path).toHaveLength(200_000);
    const loop: Record<string, unknown> = { name: 'x' };
    loop.self = loop;
    expect(findUnstorableCharacter(loop)).toBeNull();
  });
});

describe('lineAt', () => {
  it('counts lines up to an offset', () => {
    const text = 'id,label\na,0\nb\u0000,1\n';
    expect(lineAt(text, text.indexOf('\u0000'))).toBe(3);
    expect(lineAt('\u0000', 0)).toBe(1);
  });
});

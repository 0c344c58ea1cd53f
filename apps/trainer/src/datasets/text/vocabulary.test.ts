import { describe, expect, it } from 'vitest';
import { buildVocabulary, encodeDocuments, PAD_ID, tokenId, UNK_ID } from './vocabulary.ts';

const corpus = [
  ['b', 'a', 'c', 'a'],
  ['c', 'a', 'd'],
];

describe('buildVocabulary', () => {
  it('puts <pad>, <unk> first, then tokens by count, ties by code unit', () => {
    // a×3, c×2, b×1, d×1
    const vocabulary = buildVocabulary(corpus);
    expect(vocabulary.tokens).toEqual(['<pad>', '<unk>', 'a', 'c', 'b', 'd']);
    expect(vocabulary.ids.get('c')).toBe(3);
    expect(PAD_ID).toBe(0);
    expect(UNK_ID).toBe(1);
  });

  it('applies minCount and maxSize', () => {
    expect(buildVocabulary(corpus, { minCount: 2 }).tokens).toEqual(['<pad>', '<unk>', 'a', 'c']);
    expect(buildVocabulary(corpus, { maxSize: 3 }).tokens).toEqual(['<pad>', '<unk>', 'a']);
  });

  it('gives a literal "<pad>" in the text no id of its own', () => {
    const vocabulary = buildVocabulary([['<pad>', 'x', '<unk>']]);
    expect(vocabulary.tokens).toEqual(['<pad>', '<unk>', 'x']);
    expect(tokenId(vocabulary, '<pad>')).toBe(UNK_ID);
  });
});

describe('encodeDocuments', () => {
  it('truncates at the end and pads with 0', () => {
    const vocabulary = buildVocabulary(corpus);
    const ids = encodeDocuments([['a', 'b', 'c', 'd', 'a'], ['d', 'zz'], []], vocabulary, 3);
    expect(Array.from(ids)).toEqual([2, 4, 3, 5, 1, 0, 0, 0, 0]);
  });

  it('rejects a non-positive maxLength', () => {
    expect(() => encodeDocuments([], buildVocabulary([]), 0)).toThrow(RangeError);
  });
});

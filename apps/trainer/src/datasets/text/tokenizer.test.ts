import { describe, expect, it } from 'vitest';
import { tokenizePretokenized, tokenizeText } from './tokenizer.ts';

describe('tokenizePretokenized', () => {
  it('keeps the given tokens, lowercased', () => {
    expect(tokenizePretokenized(['The', '<user>', 'NIGHT', 'don’t', ''])).toEqual([
      'the',
      '<user>',
      'night',
      'don’t',
      '',
    ]);
  });
});

describe('tokenizeText', () => {
  it('splits words and single symbols, keeping inner apostrophes', () => {
    expect(tokenizeText("Don't stop!  Now,\tplease...")).toEqual([
      "don't",
      'stop',
      '!',
      'now',
      ',',
      'please',
      '.',
      '.',
      '.',
    ]);
  });

  it('keeps letters with accents and digits together', () => {
    expect(tokenizeText('Café 42nd #1')).toEqual(['café', '42nd', '#', '1']);
    expect(tokenizeText('   ')).toEqual([]);
  });
});

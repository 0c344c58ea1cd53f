/**
 * Word-level tokenisation for the text data sets. Deliberately simple and deterministic: the KD
 * students here learn their own embeddings from a vocabulary built on the training split, so what
 * matters is that the same text always yields the same tokens, not linguistic finesse.
 */

/**
 * Tokens a publisher already split (HateXplain's `post_tokens`), kept as given but lowercased
 * (`toLowerCase`, locale-independent), so 'The' and 'the' share one vocabulary entry.
 */
export function tokenizePretokenized(tokens: readonly string[]): string[] {
  return tokens.map((token) => token.toLowerCase());
}

// A word: letters/digits/underscore, with inner apostrophes kept ("don't"); else one symbol.
const tokenPattern = /[\p{L}\p{N}\p{M}_]+(?:['’][\p{L}\p{N}\p{M}_]+)*|[^\s\p{L}\p{N}\p{M}_]/gu;

/**
 * Raw text (a CSV text column) to tokens: lowercased, split into words and single punctuation
 * or symbol characters; whitespace only separates. `"Don't stop!"` → `["don't", "stop", "!"]`.
 */
export function tokenizeText(text: string): string[] {
  return text.toLowerCase().match(tokenPattern) ?? [];
}

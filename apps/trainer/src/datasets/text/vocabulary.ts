/**
 * A token vocabulary for fixed-length integer encoding. Built from the training split only, so
 * val/test words unseen in training map to <unk> exactly as they would for a deployed model.
 */

export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';
/** Padding id; TextSplit treats 0 as padding. */
export const PAD_ID = 0;
export const UNK_ID = 1;

export interface Vocabulary {
  /** Token per id: `<pad>`, `<unk>`, then corpus tokens. */
  tokens: string[];
  ids: Map<string, number>;
}

export interface VocabularyOptions {
  /** Tokens seen fewer times than this in the corpus map to <unk> (default 1: keep all). */
  minCount?: number;
  /** Keep at most this many ids in total, specials included (the most frequent tokens win). */
  maxSize?: number;
}

/**
 * Counts tokens over `documents` and assigns ids 2, 3, ... by descending count, ties broken by
 * UTF-16 code unit order, so the same corpus always gives the same ids. A literal "<pad>" or
 * "<unk>" in the text is not given an id of its own (it encodes as <unk>).
 */
export function buildVocabulary(
  documents: Iterable<readonly string[]>,
  options: VocabularyOptions = {},
): Vocabulary {
  const { minCount = 1, maxSize = Number.POSITIVE_INFINITY } = options;
  const counts = new Map<string, number>();
  for (const document of documents) {
    for (const token of document) {
      if (token === PAD_TOKEN || token === UNK_TOKEN) continue;
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
  }
  const kept = [...counts.entries()]
    .filter(([, count]) => count >= minCount)
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, Math.max(0, maxSize - 2))
    .map(([token]) => token);
  const tokens = [PAD_TOKEN, UNK_TOKEN, ...kept];
  return { tokens, ids: new Map(tokens.map((token, id) => [token, id])) };
}

/** The id of one token: its vocabulary id, or <unk>. */
export function tokenId(vocabulary: Vocabulary, token: string): number {
  if (token === PAD_TOKEN || token === UNK_TOKEN) return UNK_ID;
  return vocabulary.ids.get(token) ?? UNK_ID;
}

/**
 * Encodes documents to a `documents.length × maxLength` id matrix. Longer documents keep their
 * first `maxLength` tokens (the end is cut); shorter ones are padded with <pad> (0) at the end.
 */
export function encodeDocuments(
  documents: readonly (readonly string[])[],
  vocabulary: Vocabulary,
  maxLength: number,
): Int32Array {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
  const ids = new Int32Array(documents.length * maxLength); // zero-filled = <pad>
  documents.forEach((document, d) => {
    const length = Math.min(document.length, maxLength);
    for (let t = 0; t < length; t++) {
      ids[d * maxLength + t] = tokenId(vocabulary, document[t] ?? '');
    }
  });
  return ids;
}

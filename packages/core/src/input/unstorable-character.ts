/**
 * PostgreSQL's text and jsonb cannot hold U+0000, nor a UTF-16 surrogate without its pair (jsonb
 * fails with "Unicode low surrogate must follow a high surrogate"; text cannot encode it as
 * UTF-8). Either one reaching a query fails it with a database error (a 500 in the API, a
 * half-finished write elsewhere), so input is checked where it enters and the user hears which
 * field to fix.
 */

export type ValuePath = (string | number)[];

/** NUL, a high surrogate not followed by a low one, or a low one not preceded by a high one. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this looks for.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first unstorable character of a string: where it is and how a message names it. */
export interface UnstorableCharacter {
  index: number;
  /** 'a NUL character (\u0000)' or 'an unpaired surrogate (\ud800)', escapes spelled out. */
  description: string;
}

export function unstorableCharacterIn(text: string): UnstorableCharacter | null {
  const match = UNSTORABLE.exec(text);
  if (match === null) return null;
  const code = match[0].charCodeAt(0);
  const spelled = `\\u${code.toString(16).padStart(4, '0')}`;
  return {
    index: match.index,
    description: code === 0 ? `a NUL character (${spelled})` : `an unpaired surrogate (${spelled})`,
  };
}

/** An unstorable character in a value, and the path to the string or key holding it. */
export interface UnstorableAt extends UnstorableCharacter {
  /** [] for the value itself. */
  path: ValuePath;
}

interface Visit {
  value: unknown;
  key: string | number | undefined;
  parent: Visit | undefined;
}

function pathOf(visit: Visit): ValuePath {
  const path: ValuePath = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) path.push(v.key);
  return path.reverse();
}

/**
 * The first string, or object key, holding an unstorable character, or null. Iterative, so
 * values of any depth are safe; shared and circular references are visited once.
 */
export function findUnstorableCharacter(value: unknown): UnstorableAt | null {
  const stack: Visit[] = [{ value, key: undefined, parent: undefined }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const v = visit.value;
    if (typeof v === 'string') {
      const found = unstorableCharacterIn(v);
      if (found !== null) return { ...found, path: pathOf(visit) };
      continue;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: visit });
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      const at: Visit = { value: child, key, parent: visit };
      const found = unstorableCharacterIn(key);
      if (found !== null) return { ...found, path: pathOf(at) };
      stack.push(at);
    }
  }
  return null;
}

/** 1-based line of a character offset, for messages about multi-line text (a file's content). */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

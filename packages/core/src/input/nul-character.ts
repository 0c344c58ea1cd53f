/**
 * PostgreSQL's text and jsonb cannot hold U+0000: a NUL that reaches a query fails it with a
 * database error (a 500 in the API, a half-finished write elsewhere). Input is checked for it
 * where it enters, so the user hears which field to fix.
 */

export type ValuePath = (string | number)[];

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
 * Path to the first string, or object key, holding U+0000 ([] for `value` itself), or null.
 * Iterative, so values of any depth are safe; shared and circular references are visited once.
 */
export function findNulCharacter(value: unknown): ValuePath | null {
  const stack: Visit[] = [{ value, key: undefined, parent: undefined }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const v = visit.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return pathOf(visit);
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
      if (key.includes('\u0000')) return pathOf(at);
      stack.push(at);
    }
  }
  return null;
}

/** 1-based line of a string's first NUL, for messages about multi-line text (a file's content). */
export function nulLine(text: string): number | null {
  const at = text.indexOf('\u0000');
  if (at < 0) return null;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

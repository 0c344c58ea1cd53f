/**
 * The text of an error stored on a run, which every reader of the warehouse sees. One sanitiser
 * for everything written there (worker failures, the pg-boss failure message, queue messages),
 * and one redaction for readers who may not see server paths.
 */

/** Longest stored error; a loader's message fits many times over, a dumped file does not. */
export const MAX_RUN_ERROR_LENGTH = 2000;

/**
 * C0 controls but tab and newline (multi-line spec problems keep their lines), DEL, C1 controls,
 * and lone surrogates, which PostgreSQL cannot store as UTF-8. NUL is the one that made the
 * update fail and left runs `running` (issue 12, item 11).
 */
function isUnsafe(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

/**
 * Storable, bounded error text: control characters dropped (\r\n becomes \n), at most
 * MAX_RUN_ERROR_LENGTH characters with a note saying it was cut, never empty.
 */
export function sanitizeRunError(text: string): string {
  // Only the head can be kept, so a megabyte of text is not walked character by character.
  const head =
    text.length > 4 * MAX_RUN_ERROR_LENGTH ? text.slice(0, 4 * MAX_RUN_ERROR_LENGTH) : text;
  let clean = '';
  // for…of walks code points: a valid surrogate pair is one character, a lone half is its own.
  for (const c of head.replace(/\r\n?/g, '\n')) if (!isUnsafe(c.codePointAt(0) ?? 0)) clean += c;
  clean = clean.trim();
  if (clean === '') return 'failed (no error message)';
  if (clean.length <= MAX_RUN_ERROR_LENGTH && head === text) return clean;
  const note = ` … (cut: the error had ${text.length} characters)`;
  const kept = Array.from(clean.slice(0, MAX_RUN_ERROR_LENGTH - note.length));
  // A pair cut in half by slice leaves a lone high surrogate at the end.
  if (isUnsafe(kept[kept.length - 1]?.codePointAt(0) ?? 0)) kept.pop();
  return `${kept.join('')}${note}`;
}

/** One character of a path that no known prefix covers: not white space, a quote, a bracket, a colon. */
const pathChar = '[^\\s"\'`,;:()<>[\\]{}]';
// A comma or semicolon inside a path ("/srv/a,b/c.bin") is part of it; followed by a space (a
// list) it ends it.
const pathTail = `(?:${pathChar}|[,;](?=${pathChar}))+`;
// Where a path may start: not after a word character, slash, dot, tilde or dash (so "3/4",
// "teacher/student", "http://host/a" and relative paths stay), or as a file:// URL.
const pathStart = String.raw`(?:\bfile:\/\/|(?<![\w/.~-]))`;
// A single slash after a colon ("dataset.root:/srv/x") starts a path; two start a URL.
const absolutePath = new RegExp(String.raw`${pathStart}\/(?!\/)${pathTail}`, 'g');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A pattern for paths under the server's own folders, longest first so that a root inside
 * KDLENS_HOME is not cut at KDLENS_HOME. The folder is matched whole, whatever it holds (spaces,
 * commas), then whatever path follows it.
 */
function knownPrefixPattern(prefixes: readonly string[]): RegExp | undefined {
  const folders = [
    ...new Set(prefixes.map((p) => p.replace(/\/+$/, '')).filter((p) => p.startsWith('/'))),
  ].sort((a, b) => b.length - a.length);
  if (folders.length === 0) return undefined;
  const alternatives = folders.map(escapeRegExp).join('|');
  // The folder ends at a slash or where no path character follows (not "/srv/data-secret").
  return new RegExp(
    String.raw`${pathStart}(?:${alternatives})(?=\/|$|[^\w.~-])(?:\/(?:${pathTail})?)?`,
    'g',
  );
}

/**
 * `text` with every absolute server path replaced by `<label>` (the data set's name), for readers
 * who may not see the server's file layout. `knownPrefixes` are folders the server knows it uses
 * (data roots, KDLENS_HOME, its working directory): anything under them goes whole, even with
 * spaces in their names; other absolute paths end at a space, quote, bracket or colon. The
 * line/column suffix (":12:3") stays, since it is where the problem is, not where the file is.
 */
export function redactServerPaths(
  text: string,
  label: string,
  knownPrefixes: readonly string[] = [],
): string {
  const known = knownPrefixPattern(knownPrefixes);
  const replaced = known === undefined ? text : text.replace(known, `<${label}>`);
  return replaced.replace(absolutePath, `<${label}>`);
}

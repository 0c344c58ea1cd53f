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

// An absolute POSIX path: a slash not preceded by a word character, a colon or another slash
// (so URLs and ratios such as "3/4" stay), then at least one character up to a space, quote or
// separator (so a lone " / " in prose stays).
// The line/column suffix (":12:3") stays, since it is where the problem is, not where the file is.
const absolutePath = /(?<![\w:/.~-])\/[^\s"'`,;:()<>[\]{}]+/g;

/**
 * `text` with every absolute server path replaced by `<label>` (the data set's name), for readers
 * who may not see the server's file layout.
 */
export function redactServerPaths(text: string, label: string): string {
  return text.replace(absolutePath, `<${label}>`);
}

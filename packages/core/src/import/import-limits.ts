/**
 * What one import may hold. A class count is a promise of work and memory (class names, a row of
 * per-class results per run), so a single `pred` of 1,000,000 must not buy a 1,000,001-class
 * study; the caps say how many an import takes, and whoever needs more writes its class list.
 */
export const importLimits = {
  /** Classes of a study with a class list (`# classes:` / run.classes); also the largest index + 1. */
  classes: 100_000,
  /** Classes derived from the largest label/pred when no file gives a class list. */
  derivedClasses: 1_000,
  /** Sensitive attribute columns (attr_…) per file. */
  attributes: 32,
  /** Files (runs) per import. */
  files: 1_000,
  /** JSON nesting of one JSON Lines line; a prediction line nests 2 levels. */
  jsonNesting: 16,
} as const;

/** A user's value inside a message, cut short: a 1 MB id must not make a 1 MB error. */
export function shown(value: string, max = 40): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

import type { ImportProblem } from './import-error.ts';
import type { RawMetadata } from './run-metadata.ts';

/**
 * One run's predictions as read from a file, column by column (a row object per example would
 * cost ~10× the memory at ImageNet scale). Everything is still unchecked across files.
 */
export interface PredictionTable {
  file: string;
  /** Header metadata exactly as written (validated later, together with the flags). */
  header: RawMetadata;
  /** Where the header starts, for metadata errors. */
  headerLine: number;
  ids: string[];
  labels: number[];
  preds: number[];
  /** Source line of each example, for cross-file errors. */
  lines: number[];
  /** Probability columns per example, row-major; empty when the file has none. */
  probs: number[];
  /** Width of a probability row (0 without probabilities). */
  probWidth: number;
  /** Sensitive attribute values by attribute name, one per example. */
  attrs: Map<string, string[]>;
  /** The largest label or pred in the file and where it is (the derived class count's source). */
  widest?: ClassIndexAt;
}

/** A label or pred value and its place, for the problem when it implies too many classes. */
export interface ClassIndexAt {
  value: number;
  field: 'label' | 'pred';
  line: number;
  column?: number;
}

/** Keeps the table's largest class index with its place. */
export function noteClassIndex(table: PredictionTable, at: ClassIndexAt): void {
  if (table.widest === undefined || at.value > table.widest.value) table.widest = at;
}

export function emptyTable(file: string): PredictionTable {
  return {
    file,
    header: {},
    headerLine: 1,
    ids: [],
    labels: [],
    preds: [],
    lines: [],
    probs: [],
    probWidth: 0,
    attrs: new Map(),
  };
}

/** Collects problems up to a cap so one systematic mistake does not print 50,000 lines. */
export class ProblemLog {
  readonly problems: ImportProblem[] = [];
  private dropped = 0;
  constructor(private readonly cap = 100) {}

  add(problem: ImportProblem): void {
    if (this.problems.length < this.cap) this.problems.push(problem);
    else this.dropped += 1;
  }

  get count(): number {
    return this.problems.length + this.dropped;
  }

  /** The collected problems, with a closing line that counts the ones not kept. */
  all(file: string): ImportProblem[] {
    return this.dropped === 0
      ? this.problems
      : [
          ...this.problems,
          { file, message: `${this.dropped} more problems in this file not shown` },
        ];
  }
}

/** A class index: a non-negative integer written in decimal. */
export function parseClassIndex(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** A probability in [0, 1]. */
export function parseProbability(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : null;
}

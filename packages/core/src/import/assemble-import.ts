import type { RunRole } from '../domain/run.ts';
import type { ImportProblem } from './import-error.ts';
import { importLimits, shown } from './import-limits.ts';
import type { ClassIndexAt, PredictionTable } from './prediction-table.ts';
import { mergeMetadata, type RawMetadata, runMetadataSchema } from './run-metadata.ts';

/** The test set every imported run was scored on, in the first file's example order. */
export interface ImportedTestSet {
  ids: string[];
  labels: Int32Array;
  numClasses: number;
  classNames: string[];
  /** Group label of every example, by sensitive attribute name. */
  sensitive: Record<string, string[]>;
}

export interface ImportedRun {
  file: string;
  role: RunRole;
  /** Set exactly when role is 'distilled'. */
  temperature: number | null;
  seed: number;
  architecture: string | null;
  /** Predicted class per example, aligned with the test set. */
  predicted: Int32Array;
  /** n × numClasses class probabilities, aligned with the test set; null when not given. */
  probs: Float32Array | null;
}

export interface ImportedStudy {
  testSet: ImportedTestSet;
  runs: ImportedRun[];
}

/** Softmax outputs exported as float32 sum to 1 within about 1e-6 per class; be generous. */
const SUM_TOLERANCE = 1e-3;

interface Checked {
  table: PredictionTable;
  role: RunRole;
  temperature: number | null;
  seed: number;
  architecture: string | null;
  classes: string[] | undefined;
}

function checkMetadata(
  table: PredictionTable,
  flags: RawMetadata,
  problems: ImportProblem[],
): Checked | null {
  const { merged, conflicts } = mergeMetadata(table.header, flags);
  for (const c of conflicts)
    problems.push({ file: table.file, line: table.headerLine, message: c });
  const parsed = runMetadataSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.') || 'run metadata';
      problems.push({
        file: table.file,
        line: table.headerLine,
        message: `${field}: ${issue.message} (give it in the file's header or as --${field})`,
      });
    }
    return null;
  }
  const m = parsed.data;
  if (conflicts.length > 0) return null;
  return {
    table,
    role: m.role,
    temperature: m.temperature ?? null,
    seed: m.seed,
    architecture: m.architecture ?? null,
    classes: m.classes,
  };
}

function runKey(c: Checked): string {
  return `${c.role}${c.temperature === null ? '' : ` T=${c.temperature}`} seed ${c.seed}`;
}

/** The study's classes; null (with a problem) when label/pred imply more than may be derived. */
function resolveClasses(
  checked: Checked[],
  problems: ImportProblem[],
): { numClasses: number; classNames: string[] } | null {
  let names: string[] | undefined;
  for (const c of checked) {
    if (c.classes === undefined) continue;
    if (names === undefined) names = c.classes;
    else if (names.join('\u0000') !== c.classes.join('\u0000')) {
      problems.push({
        file: c.table.file,
        line: c.table.headerLine,
        message: `classes differ from ${checked[0]?.table.file}`,
      });
    }
  }
  let widest = 0;
  let probWidth = 0;
  let largest: { table: PredictionTable; at: ClassIndexAt } | undefined;
  for (const c of checked) {
    probWidth = Math.max(probWidth, c.table.probWidth);
    const at = c.table.widest;
    if (at !== undefined && (largest === undefined || at.value > largest.at.value)) {
      largest = { table: c.table, at };
    }
  }
  widest = Math.max(probWidth, (largest?.at.value ?? -1) + 1);
  // Probability columns state their class count; a lone large label or pred does not. Neither
  // goes past the class cap (the readers hold probabilities to it too).
  const derivedCap = Math.min(
    importLimits.classes,
    Math.max(importLimits.derivedClasses, probWidth),
  );
  if (names === undefined && probWidth > importLimits.classes) {
    const wide = checked.find((c) => c.table.probWidth === probWidth) as Checked;
    problems.push({
      file: wide.table.file,
      message: `${probWidth} probabilities per example; at most ${importLimits.classes} classes`,
    });
    return null;
  }
  if (names === undefined && largest !== undefined && widest > derivedCap) {
    const { table, at } = largest;
    problems.push({
      file: table.file,
      line: at.line,
      ...(at.column === undefined ? {} : { column: at.column }),
      message: `${at.field} ${at.value} would make ${widest} classes; without a class list at most ${importLimits.derivedClasses} are taken from label/pred: give the classes (CSV '# classes: a,b,…', JSON Lines run.classes), up to ${importLimits.classes}`,
    });
    return null;
  }
  const numClasses = names?.length ?? widest;
  return {
    numClasses,
    classNames: names ?? Array.from({ length: numClasses }, (_, k) => String(k)),
  };
}

/**
 * Checks the files against each other (one test set, one run per arm and seed, consistent
 * classes) and aligns every run to the first file's example order.
 */
export function assembleImport(
  tables: readonly PredictionTable[],
  flags: RawMetadata,
): { study: ImportedStudy | null; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const first = tables[0];
  if (first === undefined)
    return { study: null, problems: [{ file: '(none)', message: 'no files to import' }] };

  const checked: Checked[] = [];
  for (const t of tables) {
    const c = checkMetadata(t, flags, problems);
    if (c !== null) checked.push(c);
  }
  const seen = new Map<string, string>();
  for (const c of checked) {
    const key = runKey(c);
    const other = seen.get(key);
    if (other !== undefined)
      problems.push({
        file: c.table.file,
        message: `${key} is also in ${other}; one file per run`,
      });
    else seen.set(key, c.table.file);
  }

  const classes = resolveClasses(checked, problems);
  // Checking every row against a class count that is not allowed would only repeat the problem.
  if (classes === null) return { study: null, problems };
  const { numClasses, classNames } = classes;
  const index = new Map<string, number>();
  first.ids.forEach((id, i) => {
    if (index.has(id))
      problems.push({
        file: first.file,
        line: first.lines[i],
        message: `example id '${shown(id)}' appears twice`,
      });
    else index.set(id, i);
  });
  const n = first.ids.length;
  if (n === 0) problems.push({ file: first.file, message: 'no examples' });
  const labels = Int32Array.from(first.labels);
  // Filled per run: an attribute may be given in some files and not in others.
  const sensitive = new Map<string, (string | undefined)[]>();

  const runs: ImportedRun[] = [];
  for (const c of checked) {
    const run = alignRun(c, index, labels, numClasses, classNames, sensitive, problems);
    if (run !== null) runs.push(run);
  }
  for (const [name, values] of sensitive) {
    const missing = values.indexOf(undefined);
    if (missing >= 0)
      problems.push({
        file: first.file,
        message: `attribute '${shown(name)}' has no value for example '${shown(first.ids[missing] ?? '')}' in any file`,
      });
  }
  if (problems.length > 0) return { study: null, problems };
  // Every slot is filled now (checked just above).
  const complete = Object.fromEntries([...sensitive].map(([name, v]) => [name, v as string[]]));
  return {
    study: {
      testSet: { ids: first.ids, labels, numClasses, classNames, sensitive: complete },
      runs,
    },
    problems,
  };
}

function alignRun(
  c: Checked,
  index: Map<string, number>,
  labels: Int32Array,
  numClasses: number,
  classNames: string[],
  sensitive: Map<string, (string | undefined)[]>,
  problems: ImportProblem[],
): ImportedRun | null {
  const { table } = c;
  const before = problems.length;
  const n = labels.length;
  const at = (i: number) => ({ file: table.file, line: table.lines[i] });
  if (table.ids.length !== n) {
    problems.push({
      file: table.file,
      message: `${table.ids.length} examples, but the test set (first file) has ${n}`,
    });
    return null;
  }
  if (table.probWidth > 0 && table.probWidth !== numClasses) {
    problems.push({
      file: table.file,
      message: `${table.probWidth} probability columns for ${numClasses} classes`,
    });
    return null;
  }
  const predicted = new Int32Array(n);
  const probs = table.probWidth > 0 ? new Float32Array(n * numClasses) : null;
  const placed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const id = table.ids[i] as string;
    const j = index.get(id);
    if (j === undefined) {
      problems.push({
        ...at(i),
        message: `example id '${shown(id)}' is not in the test set (first file)`,
      });
      continue;
    }
    if (placed[j] === 1) {
      problems.push({ ...at(i), message: `example id '${shown(id)}' appears twice` });
      continue;
    }
    placed[j] = 1;
    const label = table.labels[i] as number;
    const pred = table.preds[i] as number;
    if (label !== labels[j])
      problems.push({
        ...at(i),
        message: `label ${label} of '${shown(id)}' differs from the first file's ${labels[j]}`,
      });
    if (label >= numClasses)
      problems.push({
        ...at(i),
        message: `label ${label} is not one of the ${numClasses} classes (${classNames.slice(0, 3).join(', ')}, …)`,
      });
    if (pred >= numClasses)
      problems.push({ ...at(i), message: `pred ${pred} is not one of the ${numClasses} classes` });
    predicted[j] = pred;
    if (probs !== null) {
      let sum = 0;
      for (let k = 0; k < numClasses; k++) {
        const p = table.probs[i * numClasses + k] as number;
        probs[j * numClasses + k] = p;
        sum += p;
      }
      if (Number.isFinite(sum) && Math.abs(sum - 1) > SUM_TOLERANCE) {
        problems.push({
          ...at(i),
          message: `probabilities sum to ${sum.toPrecision(6)}, not 1 (softmax outputs expected)`,
        });
      }
    }
    for (const [name, values] of table.attrs) {
      let column = sensitive.get(name);
      if (column === undefined) {
        column = new Array<string | undefined>(n).fill(undefined);
        sensitive.set(name, column);
      }
      const v = values[i] as string;
      const existing = column[j];
      if (existing === undefined) column[j] = v;
      else if (existing !== v)
        problems.push({
          ...at(i),
          message: `attribute '${shown(name)}' of '${shown(id)}' is '${shown(v)}' here but '${shown(existing)}' in another file`,
        });
    }
  }
  if (problems.length > before) return null;
  return {
    file: table.file,
    role: c.role,
    temperature: c.temperature,
    seed: c.seed,
    architecture: c.architecture,
    predicted,
    probs,
  };
}

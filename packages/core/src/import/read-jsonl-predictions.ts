import { z } from 'zod';
import { findExcessNesting } from '../input/nesting-depth.ts';
import { findUnstorableCharacter } from '../input/unstorable-character.ts';
import { importLimits, shown } from './import-limits.ts';
import {
  emptyTable,
  noteClassIndex,
  type PredictionTable,
  ProblemLog,
} from './prediction-table.ts';

const classIndexSchema = z
  .number()
  .int()
  .nonnegative()
  .max(
    importLimits.classes - 1,
    `beyond the largest class index an import takes (${importLimits.classes - 1}; at most ${importLimits.classes} classes)`,
  );

const exampleSchema = z
  .object({
    id: z.union([z.string().min(1), z.number().transform(String)]),
    label: classIndexSchema,
    pred: classIndexSchema,
    probs: z.array(z.number().min(0).max(1)).optional(),
    attrs: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
      .optional(),
  })
  .strict();

const metadataLineSchema = z.object({ run: z.record(z.string(), z.unknown()) }).strict();

/** Column of a key in the raw line, so an error points at the field the user has to fix. */
function columnOf(text: string, path: readonly PropertyKey[]): number {
  const key = path[0];
  if (typeof key !== 'string') return 1;
  const at = text.indexOf(`"${key}"`);
  return at < 0 ? 1 : at + 1;
}

/** Node reports JSON syntax errors as "... at position N"; N is 0-based within the line. */
function syntaxColumn(message: string): number | undefined {
  const match = /position (\d+)/.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]) + 1;
}

/**
 * Reads a JSON Lines prediction file: an optional first line `{"run": {role, temperature, seed,
 * architecture, classes}}`, then one object per test example `{id, label, pred, probs?, attrs?}`.
 */
export async function readJsonlPredictions(
  file: string,
  lines: AsyncIterable<string>,
): Promise<{ table: PredictionTable; problems: ProblemLog }> {
  const table = emptyTable(file);
  const log = new ProblemLog();
  let lineNo = 0;
  let first = true;
  for await (const raw of lines) {
    lineNo += 1;
    const text = raw.trim();
    if (text === '') continue;
    // A deep `run` header would overflow the recursive String() of the metadata merge.
    const tooDeep = findExcessNesting(text, importLimits.jsonNesting, 'json');
    if (tooDeep !== null) {
      log.add({
        file,
        line: lineNo,
        column: tooDeep.column,
        message: `nested deeper than ${importLimits.jsonNesting} levels`,
      });
      first = false;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.add({
        file,
        line: lineNo,
        column: syntaxColumn(message),
        message: `not valid JSON: ${message}`,
      });
      first = false;
      continue;
    }
    // PostgreSQL stores neither NUL nor a lone surrogate; JSON escapes (\\u0000, \\ud800) make both.
    const bad = findUnstorableCharacter(value);
    if (bad !== null) {
      log.add({
        file,
        line: lineNo,
        column: columnOf(text, bad.path),
        message: `${
          bad.path
            .map(String)
            .map((k) => shown(k))
            .join('.') || 'line'
        }: contains ${bad.description}`,
      });
      first = false;
      continue;
    }
    if (first) {
      first = false;
      const meta = metadataLineSchema.safeParse(value);
      if (meta.success) {
        table.header = meta.data.run;
        table.headerLine = lineNo;
        continue;
      }
    }
    const parsed = exampleSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        log.add({
          file,
          line: lineNo,
          column: columnOf(text, issue.path),
          message: `${issue.path.join('.') || 'line'}: ${issue.message}`,
        });
      }
      continue;
    }
    const example = parsed.data;
    const probs = example.probs ?? [];
    // probs states the class count; without this check a 200,000-wide first example would
    // make a 200,000-class study, past the cap the CSV reader holds its prob_ columns to.
    if (probs.length > importLimits.classes) {
      log.add({
        file,
        line: lineNo,
        column: columnOf(text, ['probs']),
        message: `probs has ${probs.length} values; at most ${importLimits.classes} (one per class)`,
      });
      continue;
    }
    if (table.ids.length === 0) {
      const names = Object.keys(example.attrs ?? {});
      if (names.length > importLimits.attributes) {
        log.add({
          file,
          line: lineNo,
          column: columnOf(text, ['attrs']),
          message: `attrs has ${names.length} attributes; at most ${importLimits.attributes}`,
        });
        break;
      }
      table.probWidth = probs.length;
      for (const name of names) table.attrs.set(name, []);
    }
    if (probs.length !== table.probWidth) {
      log.add({
        file,
        line: lineNo,
        column: columnOf(text, ['probs']),
        message: `probs has ${probs.length} values, the first example had ${table.probWidth}`,
      });
      continue;
    }
    const attrs = example.attrs ?? {};
    const names = Object.keys(attrs);
    if (names.length !== table.attrs.size || names.some((n) => !table.attrs.has(n))) {
      log.add({
        file,
        line: lineNo,
        column: columnOf(text, ['attrs']),
        message: `attrs has ${shown(JSON.stringify(names), 200)}, the first example had ${shown(JSON.stringify([...table.attrs.keys()]), 200)}`,
      });
      continue;
    }
    noteClassIndex(table, {
      value: example.label,
      field: 'label',
      line: lineNo,
      column: columnOf(text, ['label']),
    });
    noteClassIndex(table, {
      value: example.pred,
      field: 'pred',
      line: lineNo,
      column: columnOf(text, ['pred']),
    });
    table.ids.push(example.id);
    table.labels.push(example.label);
    table.preds.push(example.pred);
    table.lines.push(lineNo);
    for (const p of probs) table.probs.push(p);
    for (const [name, v] of Object.entries(attrs)) table.attrs.get(name)?.push(v);
  }
  return { table, problems: log };
}

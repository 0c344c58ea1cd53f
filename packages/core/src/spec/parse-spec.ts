/**
 * Spec files, YAML or JSON (JSON is YAML 1.2, so one parser reads both and both get line and
 * column numbers). Every problem is reported at once, at the place in the file it concerns, so a
 * user fixes a spec in one pass instead of one error per run.
 */
import { readFile } from 'node:fs/promises';
import { isMap, LineCounter, type Node, parseDocument, type Document as YamlDocument } from 'yaml';
import type { z } from 'zod';
import { KdlensError } from '../errors.ts';
import { type ExperimentSpec, experimentSpecSchema } from './experiment-spec.schema.ts';
import { SpecError, type SpecIssue } from './spec-error.ts';

type PathKey = string | number;

export async function parseSpecFile(file: string): Promise<ExperimentSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new KdlensError(
      code === 'ENOENT'
        ? `${file}: no such spec file`
        : `${file}: cannot read the spec file (${code ?? String(error)})`,
    );
  }
  return parseSpecText(text, file);
}

/** Parses and validates; throws SpecError listing every problem. `source` names the text in messages. */
export function parseSpecText(text: string, source: string): ExperimentSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return {
          source,
          line,
          col,
          path: '',
          message: `not valid YAML/JSON: ${firstLine(error.message)}`,
        };
      }),
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) {
    throw new SpecError([
      {
        source,
        path: '',
        message: 'the spec is empty; it needs name, dataset, teacher and student',
      },
    ]);
  }
  const result = experimentSpecSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => locate(issue, doc, lineCounter, source));
  throw new SpecError(issues.sort(byPosition));
}

/** File order, so the list reads top to bottom; issues without a place come first. */
function byPosition(a: SpecIssue, b: SpecIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** One SpecIssue per zod issue; an unknown-keys issue becomes one per key, each at its key. */
function locate(
  issue: z.core.$ZodIssue,
  doc: YamlDocument,
  lines: LineCounter,
  source: string,
): SpecIssue[] {
  const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const parent = nodeAt(doc, path);
    return issue.keys.map((key) => {
      const keyNode = isMap(parent.node)
        ? parent.node.items.find((pair) => keyName(pair.key) === key)?.key
        : undefined;
      return {
        source,
        ...position(isNode(keyNode) ? keyNode : parent.node, lines),
        path: [...path, key].join('.'),
        message: 'unknown field (a typo?)',
      };
    });
  }
  const found = nodeAt(doc, path);
  const missing = found.depth < path.length;
  return [
    {
      source,
      ...position(found.node, lines),
      path: path.join('.'),
      message: !missing
        ? issue.message
        : issue.code === 'invalid_type'
          ? missingMessage(issue)
          : // A check failed on a default the parser filled in: there is no text to point at.
            `${issue.message} (not set in the file, so the default applies)`,
    },
  ];
}

/** zod describes an absent field by the type it wanted; say first that it is missing. */
function missingMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  const expected = issue.expected === 'int' ? 'an integer' : issue.expected;
  return `missing (expected ${expected})`;
}

/** The deepest node on `path` that exists, and how many path keys it consumed. */
function nodeAt(doc: YamlDocument, path: readonly PathKey[]): { node: unknown; depth: number } {
  let node: unknown = doc.contents;
  let depth = 0;
  for (const key of path) {
    const child =
      node !== null && typeof node === 'object' && 'get' in node && typeof node.get === 'function'
        ? (node.get as (k: unknown, keepScalar: boolean) => unknown).call(node, key, true)
        : undefined;
    if (child === undefined) break;
    node = child;
    depth++;
  }
  return { node, depth };
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && 'range' in value;
}

function keyName(key: unknown): unknown {
  return isNode(key) && 'value' in key ? key.value : key;
}

function position(node: unknown, lines: LineCounter): { line?: number; col?: number } {
  const start = isNode(node) ? node.range?.[0] : undefined;
  if (start === undefined) return {};
  const { line, col } = lines.linePos(start);
  return { line, col };
}

/**
 * Spec files, YAML or JSON (JSON is YAML 1.2, so one parser reads both and both get line and
 * column numbers). Every problem is reported at once, at the place in the file it concerns, so a
 * user fixes a spec in one pass instead of one error per run.
 */
import { readFile } from 'node:fs/promises';
import {
  isCollection,
  isMap,
  isPair,
  LineCounter,
  type Node,
  parseDocument,
  type Document as YamlDocument,
} from 'yaml';
import type { z } from 'zod';
import { KdlensError } from '../errors.ts';
import { findExcessNesting } from '../input/nesting-depth.ts';
import { findUnstorableCharacter } from '../input/unstorable-character.ts';
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

/**
 * A spec nests 4 levels deep; the YAML parser recurses per level and overflows near 1,000, and
 * needs seconds for 200,000 levels of `[[[…`, so deeper text is refused before it is parsed.
 */
export const MAX_SPEC_NESTING = 64;
/** Longer than any path, name or description a spec needs; bounds what a spec stores per field. */
export const MAX_SPEC_STRING = 4_096;
/**
 * Characters of spec text. A spec is a few KB; the cap bounds what the YAML parser can be made
 * to do should the nesting scan ever be fooled (it took 3.2 s on 600 KB of brackets, 1.8 s on
 * 256 KiB), so a shared server's event loop is never held for long.
 */
export const MAX_SPEC_TEXT = 64 * 1024;

/** Parses and validates; throws SpecError listing every problem. `source` names the text in messages. */
export function parseSpecText(text: string, source: string): ExperimentSpec {
  const tooDeep = findExcessNesting(text, MAX_SPEC_NESTING, 'yaml');
  if (tooDeep !== null) {
    throw new SpecError([
      {
        source,
        line: tooDeep.line,
        col: tooDeep.column,
        path: '',
        message: `nested deeper than ${MAX_SPEC_NESTING} levels`,
      },
    ]);
  }
  // After the nesting scan (linear, and its answer names a place), before the parser.
  if (text.length > MAX_SPEC_TEXT) {
    throw new SpecError([
      {
        source,
        path: '',
        message: `the spec text has ${text.length} characters; at most ${MAX_SPEC_TEXT} (64 KiB)`,
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        // yaml catches its own stack overflow (deep block nesting) and reports it as an error.
        const overflow = /maximum call stack/i.test(error.message);
        return {
          source,
          line,
          col,
          path: '',
          message: overflow
            ? `nested deeper than ${MAX_SPEC_NESTING} levels`
            : `not valid YAML/JSON: ${firstLine(error.message)}`,
        };
      }),
    );
  }
  const deepNode = nodeDeeperThan(doc, MAX_SPEC_NESTING);
  if (deepNode !== undefined) {
    throw new SpecError([
      {
        source,
        ...position(deepNode, lineCounter),
        path: '',
        message: `nested deeper than ${MAX_SPEC_NESTING} levels`,
      },
    ]);
  }
  const value: unknown = doc.toJS();
  const textIssue = unstorableText(value, doc, lineCounter, source);
  if (textIssue !== null) throw new SpecError([textIssue]);
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

/** The first collection nested deeper than `max` (block nesting, which the text scan does not see). */
function nodeDeeperThan(doc: YamlDocument, max: number): unknown {
  const stack: [unknown, number][] = [[doc.contents, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (!isCollection(node)) continue;
    if (depth > max) return node;
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      } else stack.push([item, depth + 1]);
    }
  }
  return undefined;
}

/**
 * A NUL character or an unpaired surrogate (PostgreSQL cannot store either in the spec's jsonb)
 * or an over-long string; the schema's own messages would not say what is wrong with a field.
 */
function unstorableText(
  value: unknown,
  doc: YamlDocument,
  lines: LineCounter,
  source: string,
): SpecIssue | null {
  const bad = findUnstorableCharacter(value);
  if (bad !== null) {
    return {
      source,
      ...position(nodeAt(doc, bad.path).node, lines),
      path: bad.path.join('.'),
      message: `contains ${bad.description}; remove it`,
    };
  }
  const long = findLongString(value, MAX_SPEC_STRING);
  if (long !== null) {
    return {
      source,
      ...position(nodeAt(doc, long).node, lines),
      path: long.join('.'),
      message: `longer than ${MAX_SPEC_STRING} characters`,
    };
  }
  return null;
}

/** Path to the first string longer than `max` (the spec is at most MAX_SPEC_NESTING deep here). */
function findLongString(value: unknown, max: number, path: PathKey[] = []): PathKey[] | null {
  if (typeof value === 'string') return value.length > max ? path : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, child] of Object.entries(value)) {
    const at = Array.isArray(value) ? Number(key) : key;
    if (typeof at === 'string' && at.length > max) return [...path, at];
    const found = findLongString(child, max, [...path, at]);
    if (found !== null) return found;
  }
  return null;
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

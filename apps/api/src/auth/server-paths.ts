/**
 * Who may see the server's file layout. Specs and run errors name data folders, weight folders
 * and, for imports, prediction files; an operator launching studies needs them, while a viewer
 * (or an anonymous reader) sees each path only as the data set's name (issue 12, item 14).
 */
import { redactServerPaths, roleAllows } from '@kdlens/core';
import type { RequestAuth } from './request-auth.ts';

/** Operators and admins see server paths as stored; viewers and anonymous readers do not. */
export function seesServerPaths(auth: RequestAuth): boolean {
  return auth.caller !== null && roleAllows(auth.caller.role, 'operator');
}

/** Which view of the data an answer was computed for; part of the response cache's key. */
export function pathAudience(auth: RequestAuth): 'paths' | 'redacted' {
  return seesServerPaths(auth) ? 'paths' : 'redacted';
}

/**
 * `text` (a run's error) with its server paths replaced by `<label>`; everything below one of
 * `serverFolders` (the server's data roots, KDLENS_HOME, working directory) goes whole, even
 * where a folder's name holds spaces or commas.
 */
export function redactPaths(text: string, label: string, serverFolders: readonly string[]): string {
  return redactServerPaths(text, label, serverFolders);
}

/**
 * A stored spec with its server paths replaced: `dataset.root` by `<data set name>`,
 * `pretrained` by `<teacher weights>` / `<student weights>`, and any absolute path left in
 * another string (an import's file list, a description) by `<data set name>`, as redactPaths
 * does. A copy; the stored object is not changed.
 */
export function redactSpec(
  spec: Record<string, unknown>,
  datasetName: string,
  serverFolders: readonly string[] = [],
): Record<string, unknown> {
  const redacted = redactStrings(spec, datasetName, serverFolders) as Record<string, unknown>;
  const dataset = redacted.dataset;
  if (isRecord(dataset) && typeof dataset.root === 'string') dataset.root = `<${datasetName}>`;
  for (const role of ['teacher', 'student'] as const) {
    const model = redacted[role];
    if (isRecord(model) && typeof model.pretrained === 'string') {
      model.pretrained = `<${role} weights>`;
    }
  }
  return redacted;
}

function redactStrings(value: unknown, label: string, folders: readonly string[]): unknown {
  if (typeof value === 'string') {
    // A value that starts as a path is one in full (an import's file list): spaces in a file's
    // name would otherwise end the redaction early.
    return /^(?:file:\/\/)?\/(?!\/)/.test(value)
      ? `<${label}>`
      : redactPaths(value, label, folders);
  }
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, label, folders));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactStrings(v, label, folders)]),
    );
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Where specs may point the trainer at files: `dataset.root` and `teacher/student.pretrained`
 * must lie inside one of the folders the server's owner allows (KDLENS_DATA_ROOTS). Whoever may
 * launch a spec could otherwise make a worker open any file it can read (issue 12, item 1).
 * Checked twice: lexically when a spec is validated or launched (a spec problem, named by field),
 * and by the worker on the real path, after symlinks, just before it opens anything.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { datasetTraits } from '../domain/datasets.ts';
import { KdlensError } from '../errors.ts';
import type { ExperimentSpec } from './experiment-spec.schema.ts';

/** Kernel views of processes and devices: never data, even under an allowed root such as `/`. */
const pseudoFilesystems = ['/proc', '/sys', '/dev'] as const;

/** The spec fields that name server paths, as dotted paths for messages and `problems`. */
export type DataPathField = 'dataset.root' | 'teacher.pretrained' | 'student.pretrained';

export interface DataPathProblem {
  path: DataPathField;
  message: string;
}

/** A data path refused by the worker; the message names the spec field, never file contents. */
export class DataRootError extends KdlensError {
  override readonly name = 'DataRootError';
}

/**
 * The allowed folders when KDLENS_DATA_ROOTS is unset: `data/` where kdlens runs (the presets'
 * relative roots), /usr/share/datasets (Debian's dataset packages, Fashion-MNIST's default root)
 * and `$KDLENS_HOME/data`.
 */
export function defaultDataRoots(workDir: string, home: string): string[] {
  return [path.resolve(workDir, 'data'), '/usr/share/datasets', path.resolve(home, 'data')];
}

/**
 * KDLENS_DATA_ROOTS, colon-separated like PATH; relative entries are taken from `workDir`.
 * Empty entries are skipped (a trailing colon is not "the current folder", as it is in PATH).
 */
export function parseDataRoots(value: string, workDir: string): string[] {
  const roots = value
    .split(':')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => path.resolve(workDir, entry));
  return [...new Set(roots)];
}

/**
 * Whether `candidate` is `parent` or lies below it. Both are made absolute and normalised first
 * (`..`, `.`, repeated and trailing slashes); a sibling that merely shares a prefix
 * (`/data-secret` beside `/data`) is outside. Lexical only: symlinks are the caller's business.
 */
export function isPathInside(candidate: string, parent: string): boolean {
  const relative = path.relative(path.resolve(parent), path.resolve(candidate));
  if (relative === '') return true;
  if (path.isAbsolute(relative)) return false;
  return relative !== '..' && !relative.startsWith(`..${path.sep}`);
}

/**
 * Why `candidate` (absolute, or taken from the working directory) may not be read, or undefined
 * when it lies inside one of `roots`. Lexical; the worker repeats it on the real path.
 */
export function dataPathRefusal(candidate: string, roots: readonly string[]): string | undefined {
  // A NUL cuts the path short in the kernel; other control characters only hide what it says.
  if (Array.from(candidate).some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f')) {
    return 'contains a control character; give a plain folder path';
  }
  const absolute = path.resolve(candidate);
  if (pseudoFilesystems.some((fs) => isPathInside(absolute, fs))) {
    return `${absolute} is a system folder, not data`;
  }
  if (!roots.some((root) => isPathInside(absolute, root))) {
    return `${absolute} is outside the data folders this server allows (${describeRoots(roots)}); put the data under one of them, or ask the server's owner to add its folder to KDLENS_DATA_ROOTS`;
  }
  return undefined;
}

function describeRoots(roots: readonly string[]): string {
  return roots.length === 0 ? 'none' : roots.join(', ');
}

/**
 * Makes the spec's relative server paths absolute, taken from `base` (the spec file's folder, or
 * where kdlens runs for presets and API launches), so that every worker reads the same files
 * whatever its own working directory. Changes the spec in place.
 */
export function resolveDataPaths(spec: ExperimentSpec, base: string): void {
  if (spec.dataset.root !== undefined && !path.isAbsolute(spec.dataset.root)) {
    spec.dataset.root = path.resolve(base, spec.dataset.root);
  }
  for (const role of ['teacher', 'student'] as const) {
    const dir = spec[role].pretrained;
    if (dir !== undefined && !path.isAbsolute(dir)) spec[role].pretrained = path.resolve(base, dir);
  }
}

/** The server paths a spec makes workers read: its data root (or the default one) and weights. */
export function specDataPaths(spec: ExperimentSpec): { path: DataPathField; value: string }[] {
  const paths: { path: DataPathField; value: string }[] = [];
  const root = spec.dataset.root ?? datasetTraits[spec.dataset.name].defaultRoot;
  if (root !== undefined && !datasetTraits[spec.dataset.name].generated) {
    paths.push({ path: 'dataset.root', value: root });
  }
  for (const role of ['teacher', 'student'] as const) {
    const dir = spec[role].pretrained;
    if (dir !== undefined) paths.push({ path: `${role}.pretrained`, value: dir });
  }
  return paths;
}

/** Every server path of a (resolved) spec that lies outside `roots`, one problem per field. */
export function dataPathProblems(
  spec: ExperimentSpec,
  roots: readonly string[],
): DataPathProblem[] {
  return specDataPaths(spec).flatMap(({ path: field, value }) => {
    const refusal = dataPathRefusal(value, roots);
    const defaulted = field === 'dataset.root' && spec.dataset.root === undefined;
    return refusal === undefined
      ? []
      : [
          {
            path: field,
            message: defaulted ? `${spec.dataset.name}'s default folder ${refusal}` : refusal,
          },
        ];
  });
}

/**
 * The worker's check, just before it opens `candidate`: the real path (symlinks resolved, in the
 * path and in the roots themselves) must lie inside a real root. Returns that real path, which
 * the caller should open instead of `candidate`, so that a symlink swapped in between the check
 * and the open cannot lead outside. `field` names the spec field in messages.
 *
 * Nothing outside the roots is touched before the lexical check, and every failure of a link
 * (its target outside, missing or unreadable) gets one message: otherwise the answers would tell
 * whoever launches specs which files exist on the server ("does not exist" for
 * /root/.ssh/id_rsa, "outside" for /etc/shadow).
 */
export async function confineDataPath(
  candidate: string,
  roots: readonly string[],
  field: DataPathField,
): Promise<string> {
  const realRoots = (
    await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)))
  ).filter((root): root is string => root !== undefined);
  // Lexically inside a root as configured, or as it really is (a root named through a link).
  const lexical = dataPathRefusal(candidate, roots);
  if (lexical !== undefined && dataPathRefusal(candidate, realRoots) !== undefined) {
    throw new DataRootError(`${field}: ${lexical}`);
  }
  const absolute = path.resolve(candidate);
  // The target's real path is never shown: it is exactly what a planted symlink would probe for.
  const leadsOutside = new DataRootError(
    `${field}: ${absolute} leads outside the data folders this server allows (a symbolic link?); the worker refuses to read it`,
  );
  const inside = (real: string) => dataPathRefusal(real, realRoots) === undefined;
  const real = await realpath(absolute).catch(() => undefined);
  if (real !== undefined) {
    if (!inside(real)) throw leadsOutside;
    return real;
  }
  // Why it does not resolve, said only when the answer lies inside the roots: the deepest folder
  // that resolves must really be inside, and the name below it must be no link.
  let existing = absolute;
  let realExisting: string | undefined;
  while (realExisting === undefined && existing !== path.dirname(existing)) {
    existing = path.dirname(existing);
    realExisting = await realpath(existing).catch(() => undefined);
  }
  // A root that does not exist itself, reached through no link: what is missing is the owner's
  // folder, not a link's target.
  const rootMissing = roots.some(
    (root) =>
      realExisting === existing &&
      isPathInside(root, existing) &&
      path.resolve(root) !== existing &&
      isPathInside(absolute, root),
  );
  if (rootMissing) throw new DataRootError(`${field}: ${absolute} does not exist`);
  if (realExisting === undefined || !inside(realExisting)) throw leadsOutside;
  const next = absolute
    .slice(existing.length)
    .split(path.sep)
    .find((part) => part !== '');
  const below = path.join(realExisting, next ?? '');
  const entry = await lstat(below).then(
    (stats) => ({ stats, code: undefined }),
    (error: unknown) => ({ stats: undefined, code: (error as NodeJS.ErrnoException).code }),
  );
  if (entry.stats?.isSymbolicLink()) throw leadsOutside;
  if (entry.code === 'ENOENT' || entry.code === 'ENOTDIR' || entry.stats !== undefined) {
    // An existing non-link entry that does not resolve: a file used as a folder further down.
    throw new DataRootError(`${field}: ${absolute} does not exist`);
  }
  throw new DataRootError(`${field}: cannot open ${absolute} (${entry.code ?? 'unknown error'})`);
}

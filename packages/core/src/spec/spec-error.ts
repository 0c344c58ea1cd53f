import { KdlensError } from '../errors.ts';

/** One problem in a spec file, located as precisely as the file allows. */
export interface SpecIssue {
  /** The file (or other source) the spec came from. */
  source: string;
  /** 1-based; undefined when the problem has no place in the text (e.g. a missing top-level key). */
  line?: number;
  col?: number;
  /** Dotted path of the field, e.g. `kd.temperatures.1`; '' for the whole document. */
  path: string;
  message: string;
}

/** `<file>:<line>:<col> <path>: message`, the form editors and terminals link to. */
export function formatSpecIssue(issue: SpecIssue): string {
  const where =
    issue.line === undefined ? issue.source : `${issue.source}:${issue.line}:${issue.col ?? 1}`;
  return issue.path === ''
    ? `${where} ${issue.message}`
    : `${where} ${issue.path}: ${issue.message}`;
}

/** A spec that does not parse or validate; the message lists every problem, one per line. */
export class SpecError extends KdlensError {
  override readonly name = 'SpecError';

  constructor(readonly issues: readonly SpecIssue[]) {
    const first = issues[0]?.source ?? 'spec';
    super(
      `${first}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the experiment spec\n${issues.map(formatSpecIssue).join('\n')}`,
    );
  }
}

import { unstorableCharacterIn } from '@kdlens/core';
import { exportFormats, exportTables } from '@kdlens/core/export';

/** Where exports are served: GET /export/<experiment>/<table>.<format>. */
export const EXPORT_PREFIX = '/export/';

export const EXPORT_USAGE = `exports are at /export/<experiment name or id>/<table>.<format>; tables: ${exportTables.join(
  ', ',
)}; formats: ${exportFormats.join(', ')}`;

/** The parts of an export URL, as typed (checked later by prepareExport). */
export interface ExportTarget {
  experiment: string;
  table: string;
  format: string;
  alpha?: string;
  statistic?: string;
}

/** Why a URL names no export: `status` 404 when the path has the wrong shape, 400 otherwise. */
export class ExportPathError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'ExportPathError';
  }
}

const queryArguments = new Set(['alpha', 'statistic']);

/** Longer than any name a spec or an import may give (and than a UUID). */
const MAX_EXPERIMENT_CHARS = 1000;

/**
 * Splits /export/<experiment>/<table>.<format> into its parts. The experiment is one
 * percent-encoded path segment (a name with a slash is sent as %2F); the format is what follows
 * the table's last dot. `alpha` and `statistic` may come as query parameters; any other is refused
 * rather than ignored, so a misspelt one does not silently export the defaults.
 */
export function parseExportUrl(url: URL): ExportTarget {
  const segments = url.pathname.slice(EXPORT_PREFIX.length).split('/');
  if (!url.pathname.startsWith(EXPORT_PREFIX) || segments.length !== 2) {
    throw new ExportPathError(404, `not found: ${EXPORT_USAGE}`);
  }
  const [rawExperiment = '', rawFile = ''] = segments;
  let experiment: string;
  let file: string;
  try {
    experiment = decodeURIComponent(rawExperiment);
    file = decodeURIComponent(rawFile);
  } catch {
    throw new ExportPathError(400, 'bad request: the export path is not valid percent-encoding');
  }
  const unstorable = unstorableCharacterIn(experiment);
  if (unstorable !== null) {
    throw new ExportPathError(
      400,
      `bad request: the experiment in the export path holds ${unstorable.description}`,
    );
  }
  if (experiment.length > MAX_EXPERIMENT_CHARS) {
    throw new ExportPathError(
      400,
      `bad request: the experiment in the export path is longer than ${MAX_EXPERIMENT_CHARS} characters`,
    );
  }
  const dot = file.lastIndexOf('.');
  if (experiment === '' || dot <= 0) throw new ExportPathError(404, `not found: ${EXPORT_USAGE}`);
  const target: ExportTarget = {
    experiment,
    table: file.slice(0, dot),
    format: file.slice(dot + 1),
  };
  for (const [name, value] of url.searchParams) {
    if (!queryArguments.has(name)) {
      throw new ExportPathError(
        400,
        `bad request: unknown query parameter ${JSON.stringify(name.slice(0, 40))}; exports take alpha and statistic`,
      );
    }
    if (name === 'alpha') target.alpha = value;
    if (name === 'statistic') target.statistic = value;
  }
  return target;
}

/**
 * Content-Disposition for a download: an ASCII `filename` for old clients (anything outside
 * letters, digits, `.`, `_` and `-` becomes `_`, so no quote or header break can get in) and the
 * exact UTF-8 name in `filename*` (RFC 6266 / RFC 8187).
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

import { ApiError, request } from './graphql.ts';
import { graphql } from './graphql-document.ts';
import {
  IMPORT_BODY_LIMIT_BYTES,
  type ImportFileText,
  importBodyBytes,
  importTooLargeMessage,
} from './import-limit.ts';

/*
 * The one place the web calls importPredictions: the mutation's arguments and answer live only
 * here, so a change of its signature (one `input` argument and a payload type) is one edit.
 */
const ImportPredictionsMutation = graphql(`
  mutation ImportPredictions($input: ImportPredictionsInput!) {
    importPredictions(input: $input) {
      runsImported
      experiment {
        id
        name
      }
    }
  }
`);

export interface ImportedStudy {
  experimentId: string;
  experimentName: string;
  runsImported: number;
}

/** A problem of one file at a position (`file:line:column: message`), as the API lists them. */
export interface ImportProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export type ImportOutcome =
  | { ok: true; study: ImportedStudy }
  | { ok: false; message: string; problems: ImportProblem[] };

/**
 * Sends the files' text to the API's importPredictions (operators and admins). The API checks
 * every file before writing anything; its problems come back by file, line and column. A request
 * over the API's body limit is refused here, before it is sent, with the way round it.
 */
export async function importPredictions(
  experiment: string,
  files: readonly ImportFileText[],
): Promise<ImportOutcome> {
  const bytes = importBodyBytes(experiment, files);
  if (bytes > IMPORT_BODY_LIMIT_BYTES) {
    return { ok: false, message: importTooLargeMessage(bytes), problems: [] };
  }
  try {
    const data = await request(ImportPredictionsMutation, {
      input: { experimentName: experiment, files: [...files] },
    });
    const result = data.importPredictions;
    return {
      ok: true,
      study: {
        experimentId: result.experiment.id,
        experimentName: result.experiment.name,
        runsImported: result.runsImported,
      },
    };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const problems = error.problems.map((p) => ({
      file: p.file ?? p.path,
      ...(p.line === undefined ? {} : { line: p.line }),
      ...(p.column === undefined ? {} : { column: p.column }),
      message: p.message,
    }));
    return { ok: false, message: error.message, problems };
  }
}

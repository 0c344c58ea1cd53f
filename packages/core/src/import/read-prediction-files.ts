import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { assembleImport, type ImportedStudy } from './assemble-import.ts';
import { ImportError, type ImportProblem } from './import-error.ts';
import { importLimits } from './import-limits.ts';
import type { PredictionTable, ProblemLog } from './prediction-table.ts';
import { readCsvPredictions } from './read-csv-predictions.ts';
import { readJsonlPredictions } from './read-jsonl-predictions.ts';
import type { RawMetadata } from './run-metadata.ts';

type Reader = (
  file: string,
  lines: AsyncIterable<string>,
) => Promise<{ table: PredictionTable; problems: ProblemLog }>;

const READERS: Record<string, Reader> = {
  '.csv': readCsvPredictions,
  '.jsonl': readJsonlPredictions,
  '.ndjson': readJsonlPredictions,
};

/**
 * Reads and cross-checks every file before anything is written; throws one ImportError that
 * lists every problem (file:line:column) when any file is wrong.
 */
export async function readPredictionFiles(
  files: readonly string[],
  flags: RawMetadata = {},
  options: ReadOptions = {},
): Promise<ImportedStudy> {
  return readPredictionSources(
    files.map((file) => ({
      name: file,
      open: async () => {
        const info = await stat(file);
        if (!info.isFile()) throw new Error('not a regular file');
        return createInterface({
          input: createReadStream(file, 'utf8'),
          crlfDelay: Number.POSITIVE_INFINITY,
        });
      },
    })),
    flags,
    options,
  );
}

export interface ReadOptions {
  /** Stops reading between files once aborted (the API's request deadline). */
  signal?: AbortSignal;
}

/** The same for files sent as text (the API's upload); the name's extension picks the format. */
export function readPredictionTexts(
  files: readonly { name: string; content: string }[],
  flags: RawMetadata = {},
  options: ReadOptions = {},
): Promise<ImportedStudy> {
  return readPredictionSources(
    files.map((f) => ({
      name: f.name,
      open: async () =>
        (async function* lines() {
          yield* f.content.split(/\r?\n/);
        })(),
    })),
    flags,
    options,
  );
}

interface PredictionSource {
  name: string;
  open(): Promise<AsyncIterable<string>>;
}

async function readPredictionSources(
  sources: readonly PredictionSource[],
  flags: RawMetadata,
  { signal }: ReadOptions,
): Promise<ImportedStudy> {
  if (sources.length > importLimits.files) {
    throw new ImportError([
      {
        file: '(import)',
        message: `${sources.length} files; at most ${importLimits.files} (one per run) in one import`,
      },
    ]);
  }
  const problems: ImportProblem[] = [];
  const tables: PredictionTable[] = [];
  for (const { name: file, open } of sources) {
    signal?.throwIfAborted();
    const reader = READERS[path.extname(file).toLowerCase()];
    if (reader === undefined) {
      problems.push({
        file,
        message: `unknown file type; expected ${Object.keys(READERS).join(', ')}`,
      });
      continue;
    }
    let lines: AsyncIterable<string>;
    try {
      lines = await open();
    } catch (error) {
      problems.push({
        file,
        message: `cannot read: ${error instanceof Error ? error.message : String(error)}`,
      });
      continue;
    }
    const { table, problems: log } = await reader(file, lines);
    if (log.count > 0) problems.push(...log.all(file));
    else tables.push(table);
  }
  if (problems.length > 0) throw new ImportError(problems);
  const { study, problems: crossFile } = assembleImport(tables, flags);
  if (study === null) throw new ImportError(crossFile);
  return study;
}

'use client';

import Link from 'next/link';
import { useState, useTransition } from 'react';
import {
  IMPORT_BODY_LIMIT_BYTES,
  type ImportFileText,
  importBodyBytes,
  importTooLargeMessage,
} from '@/lib/import-limit.ts';
import type { ImportOutcome, ImportProblem } from '@/lib/import-predictions.ts';
import { importFiles } from './actions.ts';

const importable = /\.(csv|jsonl)$/i;

/** `file:line:column: message`, as `kdlens import` prints it. */
function problemText(p: ImportProblem): string {
  const at = [p.file, p.line, p.column].filter((x) => x !== undefined && x !== '').join(':');
  return at ? `${at}: ${p.message}` : p.message;
}

function sizeText(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} kB`;
}

/**
 * Prediction files chosen or dropped, read as text in the browser, sent to the API through a
 * server action. Problems are listed beside the file they belong to.
 */
export function ImportForm() {
  const [experiment, setExperiment] = useState('');
  const [files, setFiles] = useState<ImportFileText[]>([]);
  const [refused, setRefused] = useState<string[]>([]);
  const [over, setOver] = useState(false);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);
  const [pending, startTransition] = useTransition();

  async function add(list: FileList | null) {
    if (!list) return;
    const chosen = Array.from(list);
    const read = await Promise.all(
      chosen
        .filter((f) => importable.test(f.name))
        .map(async (f) => ({ name: f.name, content: await f.text() })),
    );
    setRefused(
      chosen
        .filter((f) => !importable.test(f.name))
        .map((f) => `${f.name}: only .csv and .jsonl prediction files can be imported`),
    );
    // A file chosen again under the same name replaces the earlier one.
    setFiles((old) => [...old.filter((o) => !read.some((r) => r.name === o.name)), ...read]);
    setOutcome(null);
  }

  const bytes = importBodyBytes(experiment, files);
  const tooLarge = bytes > IMPORT_BODY_LIMIT_BYTES;
  const problems = outcome && !outcome.ok ? outcome.problems : [];
  const names = new Set(files.map((f) => f.name));
  const elsewhere = problems.filter((p) => !names.has(p.file));

  return (
    <form
      className="import-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (tooLarge || files.length === 0) return;
        startTransition(async () => {
          setOutcome(await importFiles({ experiment, files }));
        });
      }}
    >
      <div className="field">
        <label htmlFor="import-experiment">Experiment name</label>
        <input
          id="import-experiment"
          value={experiment}
          required
          onChange={(e) => setExperiment(e.target.value)}
          aria-describedby="import-experiment-hint"
        />
        <span id="import-experiment-hint" className="hint">
          created if missing; importing the same files again replaces their runs
        </span>
      </div>
      {/* Dropping is the shortcut; the file input inside does the same from the keyboard. */}
      <fieldset
        className="drop-zone"
        data-over={over}
        data-testid="drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void add(e.dataTransfer.files);
        }}
      >
        <legend className="visually-hidden">Prediction files to import</legend>
        <label htmlFor="import-files">Prediction files</label>{' '}
        <input
          id="import-files"
          type="file"
          multiple
          accept=".csv,.jsonl"
          onChange={(e) => {
            void add(e.target.files);
            e.target.value = '';
          }}
        />
        <p className="hint">or drop .csv and .jsonl files here</p>
      </fieldset>
      {refused.length > 0 && (
        <ul className="problems" data-testid="import-refused">
          {refused.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      {files.length > 0 && (
        <div className="table-wrap">
          <table className="import-files" data-testid="import-files">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Problems</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {files.map((f) => {
                const own = problems.filter((p) => p.file === f.name);
                return (
                  <tr key={f.name} data-testid="import-file" data-file={f.name}>
                    <th scope="row">{f.name}</th>
                    <td className="num">{sizeText(new TextEncoder().encode(f.content).length)}</td>
                    <td>
                      {own.length > 0 ? (
                        <ul data-testid="file-problems">
                          {own.map((p) => (
                            <li key={problemText(p)}>
                              <code>{problemText(p)}</code>
                            </li>
                          ))}
                        </ul>
                      ) : outcome && !outcome.ok && problems.length > 0 ? (
                        'no problems'
                      ) : null}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="export"
                        aria-label={`Remove ${f.name}`}
                        onClick={() => {
                          setFiles((old) => old.filter((o) => o.name !== f.name));
                          setOutcome(null);
                        }}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {tooLarge && (
        <p className="error" role="alert" data-testid="import-too-large">
          {importTooLargeMessage(bytes)}
        </p>
      )}
      {outcome && !outcome.ok && (
        <div className="error" role="alert" data-testid="import-error">
          <p>{outcome.message}</p>
          {elsewhere.length > 0 && (
            <ul className="problems">
              {elsewhere.map((p) => (
                <li key={problemText(p)}>
                  <code>{problemText(p)}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {outcome?.ok && (
        <p className="notice" role="status" data-testid="import-done">
          Imported {outcome.study.runsImported} run{outcome.study.runsImported === 1 ? '' : 's'}{' '}
          into{' '}
          <Link href={`/experiments/${outcome.study.experimentId}/runs`}>
            {outcome.study.experimentName}
          </Link>
          .
        </p>
      )}
      <div>
        <button
          type="submit"
          disabled={pending || tooLarge || files.length === 0}
          data-testid="import-submit"
        >
          {pending ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

/**
 * The API reads at most 1 MiB of request body (apps/api/src/server.ts BODY_LIMIT), and an import
 * sends every file's text in one request. Pure, so the browser checks before sending too.
 */
export const IMPORT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Room for the mutation's text and the JSON around the variables. */
const DOCUMENT_ALLOWANCE_BYTES = 2048;

export interface ImportFileText {
  name: string;
  content: string;
}

/** Bytes the import request's body will have, as JSON-encoded UTF-8 (escapes included). */
export function importBodyBytes(experiment: string, files: readonly ImportFileText[]): number {
  const variables = JSON.stringify({ input: { experimentName: experiment, files } });
  return new TextEncoder().encode(variables).length + DOCUMENT_ALLOWANCE_BYTES;
}

/** The refusal for a too-large import, naming the limit and the way to import anyway. */
export function importTooLargeMessage(bytes: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `These files make a request of ${n(bytes)} bytes; the API accepts at most ${n(IMPORT_BODY_LIMIT_BYTES)} bytes (1 MiB) per request. Import larger studies with the CLI: npx kdlens import --experiment <name> <files…>`;
}

import { type DocumentNode, print } from '@0no-co/graphql.web';
import type { TadaDocumentNode } from 'gql.tada';
import { cookies } from 'next/headers';
import { z } from 'zod';
import { apiUrl } from './api.ts';
import { TOKEN_COOKIE } from './token-cookie.ts';

/**
 * A problem the API attached to a BAD_USER_INPUT error: a spec field and its message, or (from
 * an import) the file, line and column it is at.
 */
export interface ApiProblem {
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/**
 * A failure a page can show in words: the API is down, refused the token, rejected the input,
 * or answered something this web app does not understand.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    /** The API's extensions.code, or UNREACHABLE / BAD_RESPONSE for transport failures. */
    readonly code: string,
    readonly problems: ApiProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// Errors are not typed by the schema (extensions are free-form), so zod checks them here.
const problemSchema = z.object({
  path: z.union([z.string(), z.array(z.union([z.string(), z.number()]))]).optional(),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});

const errorSchema = z.object({
  message: z.string(),
  extensions: z
    .object({ code: z.string().optional(), problems: z.array(problemSchema).optional() })
    .loose()
    .optional(),
});

/** What the user should read for each error code; the API's own message follows it. */
const codeAdvice: Record<string, string> = {
  UNAUTHENTICATED: 'Sign in with an API token to see this.',
  FORBIDDEN: "Your token's role does not allow this.",
  NOT_FOUND: 'Not found.',
  QUERY_TOO_COMPLEX: 'The request was too large for the API.',
  TIMEOUT: 'The API took too long to answer; try again.',
  INTERNAL_SERVER_ERROR: 'The API failed on this request.',
  // The documents are checked against schema.graphql at build time, so this means the API
  // serves another schema than the one this web app was built against.
  GRAPHQL_VALIDATION_FAILED:
    'The web app and the API may be different versions (the API refused a query this web app was built with).',
};

function describeErrors(errors: z.infer<typeof errorSchema>[]): ApiError {
  const first = errors[0];
  const code = first?.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  const messages = [...new Set(errors.map((e) => e.message))].join('; ');
  const advice = codeAdvice[code];
  const problems = errors.flatMap((e) =>
    (e.extensions?.problems ?? []).map((p) => ({
      path: Array.isArray(p.path) ? p.path.join('.') : (p.path ?? ''),
      message: p.message,
      ...(p.file === undefined ? {} : { file: p.file }),
      ...(p.line === undefined ? {} : { line: p.line }),
      ...(p.column === undefined ? {} : { column: p.column }),
    })),
  );
  return new ApiError(advice ? `${advice} (the API said: ${messages})` : messages, code, problems);
}

/** The signed-in user's token, from the httpOnly cookie; null when signed out. */
export async function currentToken(): Promise<string | null> {
  const jar = await cookies();
  return jar.get(TOKEN_COOKIE)?.value ?? null;
}

/** Documents are module constants: each is printed once. */
const printed = new WeakMap<DocumentNode, string>();

function queryText(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

/**
 * Runs one GraphQL operation (a `graphql()` document, lib/graphql-document.ts) from the server
 * and returns its `data`, typed by the document. The user's token (if any) goes in the
 * Authorization header; every failure becomes an ApiError whose message a person can act on.
 */
export async function request<Result, Variables>(
  document: TadaDocumentNode<Result, Variables>,
  variables: Variables,
  options: { token?: string | null } = {},
): Promise<Result> {
  const token = options.token === undefined ? await currentToken() : options.token;
  let response: Response;
  try {
    response = await fetch(apiUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: queryText(document), variables }),
      cache: 'no-store',
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    const reason = error instanceof Error ? String(error.cause ?? error) : String(error);
    throw new ApiError(`cannot reach the KDLens API at ${apiUrl}: ${reason}`, 'UNREACHABLE');
  }
  const payload: unknown = await response.json().catch(() => undefined);
  const envelope = z
    .object({ data: z.unknown().optional(), errors: z.array(errorSchema).optional() })
    .safeParse(payload);
  if (!envelope.success) {
    throw new ApiError(
      `the API at ${apiUrl} answered HTTP ${response.status} with an unexpected body`,
      'BAD_RESPONSE',
    );
  }
  if (envelope.data.errors?.length) throw describeErrors(envelope.data.errors);
  const data = envelope.data.data;
  if (typeof data !== 'object' || data === null) {
    throw new ApiError(
      `the API at ${apiUrl} answered HTTP ${response.status} with neither data nor errors`,
      'BAD_RESPONSE',
    );
  }
  // No runtime shape check: the API validated the document against its schema (a field it
  // lacks comes back in `errors` above) and answers a valid document in the shape that schema
  // gives it; tsc checked the same document against the committed schema.graphql, which the
  // API's schema test keeps equal to the API's code.
  return data as Result;
}

/** Runs `load`, turning an ApiError into a value a page can render instead of crashing. */
export async function attempt<T>(
  load: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: ApiError }> {
  try {
    return { ok: true, value: await load() };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error };
    throw error;
  }
}

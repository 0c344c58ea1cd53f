/** A GraphQL answer with its HTTP status, errors included (graphql.ts fails on errors instead). */
export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; path?: unknown; extensions?: Record<string, unknown> }[];
  /** The raw body text, to check that nothing internal leaks. */
  text: string;
}

export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  opts: { variables?: object; token?: string; headers?: Record<string, string> } = {},
): Promise<GqlResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` }),
      ...opts.headers,
    },
    body: JSON.stringify({ query, variables: opts.variables }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: T | null; errors?: GqlResponse['errors'] };
  return { status: response.status, data: body.data, errors: body.errors ?? [], text };
}

/** The error codes of an answer, in order; [] when it succeeded. */
export function codes(r: GqlResponse<unknown>): unknown[] {
  return r.errors.map((e) => e.extensions?.code);
}

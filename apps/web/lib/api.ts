import { z } from 'zod';

// The web app talks to the API from the server only; the browser never sees the API URL.
const apiUrl = z
  .url({ error: 'KDLENS_API_URL must be the http(s) URL of the GraphQL endpoint' })
  .parse(process.env.KDLENS_API_URL ?? 'http://127.0.0.1:4000/graphql');

const runSchema = z.object({
  id: z.string(),
  role: z.enum(['teacher', 'student', 'distilled']),
  temperature: z.number().nullable(),
  seed: z.number().int(),
  architecture: z.string(),
  backend: z.string().nullable(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  progress: z.number(),
  epoch: z.number().int(),
  accuracy: z.number().nullable(),
  classAccuracy: z.array(z.number().nullable()).nullable(),
  classNames: z.array(z.string()).nullable(),
  error: z.string().nullable(),
});
export type Run = z.infer<typeof runSchema>;

const experimentSchema = z.object({
  id: z.string(),
  name: z.string(),
  dataset: z.string(),
  status: z.string(),
  createdAt: z.string(),
  runs: z.array(runSchema),
});
export type Experiment = z.infer<typeof experimentSchema>;

const EXPERIMENTS_QUERY = /* GraphQL */ `
  query Experiments {
    experiments {
      id name dataset status createdAt
      runs {
        id role temperature seed architecture backend status progress epoch
        accuracy classAccuracy classNames error
      }
    }
  }
`;

/** A failure the page can show in words. */
export class ApiUnavailableError extends Error {}

export async function fetchExperiments(): Promise<Experiment[]> {
  let response: Response;
  try {
    response = await fetch(apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: EXPERIMENTS_QUERY }),
      cache: 'no-store',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const reason = error instanceof Error ? (error.cause ?? error).toString() : String(error);
    throw new ApiUnavailableError(`cannot reach the KDLens API at ${apiUrl}: ${reason}`);
  }
  const payload: unknown = await response.json().catch(() => undefined);
  const parsed = z
    .object({
      data: z.object({ experiments: z.array(experimentSchema) }).nullish(),
      errors: z.array(z.object({ message: z.string() })).optional(),
    })
    .safeParse(payload);
  if (!parsed.success) {
    throw new ApiUnavailableError(
      `the API at ${apiUrl} answered HTTP ${response.status} with an unexpected body`,
    );
  }
  if (parsed.data.errors?.length || !parsed.data.data) {
    const messages = parsed.data.errors?.map((e) => e.message).join('; ') ?? 'no data';
    throw new ApiUnavailableError(`the API reported: ${messages}`);
  }
  return parsed.data.data.experiments;
}

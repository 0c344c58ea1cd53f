import path from 'node:path';
import { z } from 'zod';
import { backendNameSchema } from '../domain/backend.ts';
import { ConfigError } from '../errors.ts';
import { defaultDataRoots, parseDataRoots } from '../spec/data-roots.ts';

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole number')
    .min(1, 'expected a port from 1 to 65535')
    .max(65535, 'expected a port from 1 to 65535')
    .default(fallback);

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    } catch {
      return false;
    }
  }, 'expected a URL like postgres://user:password@host:5432/database');

const flag = z
  .enum(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/**
 * Every environment variable KDLens reads, in one place. docs/environment.md is generated from
 * this schema (`npm run docs:generate`): each variable's `description` is its meaning there, and
 * `unset` says what applies when it is not set and the schema has no default of its own (the
 * default then lives where the value is used: the API's limits, the queue's timings).
 */
export const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional().meta({
    description: '`postgres://user:password@host:port/database` of the warehouse',
    unset: 'the embedded server',
  }),
  KDLENS_HOME: z.string().min(1).optional().meta({
    description:
      'folder (created mode 0700) for the embedded PostgreSQL data (`postgres/`), its password (`postgres.password`, mode 0600) and caches',
    unset: '`./.kdlens` (where the command was started)',
  }),
  KDLENS_PG_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe('port of the embedded PostgreSQL (`0`: a free port)'),
  KDLENS_API_HOST: z.string().min(1).default('127.0.0.1').describe('interface the API listens on'),
  KDLENS_API_PORT: port(4000).describe('port of the GraphQL API'),
  KDLENS_WEB_PORT: port(3000).describe('port of the web app'),
  // Where the web app listens (`kdlens serve --host`); off loopback, anonymous reading stays off.
  KDLENS_WEB_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe(
      'interface the web app listens on (`--host`); off loopback, anonymous read stays off',
    ),
  // The address people open (behind a TLS proxy: https://kdlens.example.org): printed links, and
  // an https one makes the web's token cookie Secure.
  KDLENS_PUBLIC_URL: z
    .url({
      protocol: /^https?$/,
      error: 'expected the http(s) URL people open, e.g. https://kdlens.example.org',
    })
    .optional()
    .describe(
      'the address people open, e.g. `https://kdlens.example.org` behind a TLS proxy: printed as the link, its origin may send the web app’s forms (sign-in, launch) even when the proxy passes its own `Host`, and `https://` makes the sign-in cookie `Secure`',
    ),
  // Bearer token for the API's /metrics; unset, only loopback clients without proxy headers read it.
  KDLENS_METRICS_TOKEN: z
    .string()
    .min(16, 'expected at least 16 characters')
    .optional()
    .describe(
      'bearer token (16+ characters) that may read the API’s `/metrics` from any machine; without it only clients on this machine can',
    ),
  KDLENS_API_URL: z
    .url({ error: 'expected an http(s) URL of the GraphQL endpoint' })
    .optional()
    .meta({
      description: 'the GraphQL endpoint the web app’s server calls',
      unset: '`http://127.0.0.1:$KDLENS_API_PORT/graphql`',
    }),
  KDLENS_BACKEND: backendNameSchema
    .default('auto')
    .describe(
      'TensorFlow.js backend: `auto`, `tensorflow-gpu`, `tensorflow`, `wasm`, `cpu`; overrides a spec’s `backend` unless it is `auto` (docs/training.md)',
    ),
  LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe(
      '`trace` … `fatal`, or `silent`; logs go to stderr, pretty in a terminal, JSON lines otherwise',
    ),
  KDLENS_NO_PROGRESS: flag
    .default(false)
    .describe(
      '`1` turns progress bars into periodic log lines (also the case when `CI` is set or stderr is not a terminal)',
    ),
  // Job queue liveness (defaults in queue/study-queue.ts); short values are for tests and drills.
  KDLENS_HEARTBEAT_SECONDS: z.coerce.number().positive('expected seconds > 0').optional().meta({
    description:
      'how often a worker writes its unit’s heartbeat and checks for a cancel; every process sharing a warehouse should use the same value',
    unset: '`5`',
  }),
  KDLENS_STALE_SECONDS: z.coerce.number().positive('expected seconds > 0').optional().meta({
    description:
      'a running unit whose heartbeat is older is taken to have lost its worker and is retried (at least twice the heartbeat)',
    unset: '`60`',
  }),
  // `kdlens worker --experiment`, for the worker processes it starts: comma-separated experiment
  // ids (or names without commas) whose units alone these workers take.
  KDLENS_WORKER_EXPERIMENTS: z
    .string()
    .transform((v) => v.split(',').map((ref) => ref.trim()))
    .refine(
      (refs) => refs.every((ref) => ref.length > 0),
      'expected experiment ids or names, comma-separated',
    )
    .optional()
    .meta({
      description:
        'comma-separated experiment ids (or names without commas) whose units alone `kdlens worker` / `kdlens-worker` processes take; `kdlens worker --experiment` sets it for the processes it starts',
      unset: 'every experiment',
    }),
  // API access and limits (defaults in apps/api/src/limits/api-limits.ts). Anonymous reading
  // also needs a loopback listen address; unset lets `kdlens start` turn it on for the demo.
  KDLENS_ALLOW_ANONYMOUS_READ: flag.optional().meta({
    description:
      '`1` lets clients read without a token, only while the API **and the web app** listen on loopback and `KDLENS_PUBLIC_URL`, when set, names this machine (otherwise ignored, with a warning: a proxy may pass its own loopback Host for every visitor) and only for requests whose `Host` is `localhost`, `127.x.x.x` or `[::1]`',
    unset: 'on for `kdlens start`, off for `kdlens serve` and `kdlens api`',
  }),
  KDLENS_API_MAX_DEPTH: z.coerce
    .number()
    .int('expected a whole number')
    .min(2)
    .max(100)
    .optional()
    .meta({ description: 'deepest query the API accepts', unset: '`20`' }),
  KDLENS_API_MAX_COST: z.coerce.number().int('expected a whole number').min(10).optional().meta({
    description:
      'largest query cost (each field counts once, multiplied by `first`, or by 10 for other lists)',
    unset: '`100000`',
  }),
  KDLENS_API_TIMEOUT_MS: z.coerce.number().int('expected milliseconds').min(100).optional().meta({
    description:
      'a request taking longer is answered with `TIMEOUT` (HTTP 503); the work behind a launch or an import is rolled back',
    unset: '`10000`',
  }),
  // Folders specs may read data and pretrained weights from (spec/data-roots.ts), colon-separated;
  // unset = data/ where kdlens runs, /usr/share/datasets and $KDLENS_HOME/data.
  KDLENS_DATA_ROOTS: z
    .string()
    .refine(
      (v) => v.split(':').some((entry) => entry.trim() !== ''),
      'expected folders, colon-separated',
    )
    .optional()
    .meta({
      description:
        'colon-separated folders that specs may read data and pretrained weights from; setting it replaces the default list (see [security](security.md#data-folders-kdlens_data_roots))',
      unset: '`./data` (where kdlens runs), `/usr/share/datasets`, `$KDLENS_HOME/data`',
    }),
  // Per operation (default 20), per caller at once (default 4; anonymous local clients share 4
  // times that where anonymous read is on), all callers together at once (default 4 × the
  // per-caller value) and how long extra requests wait for a slot before HTTP 429 or 503
  // (default 1000; 0: refuse at once).
  KDLENS_API_MAX_ROOT_FIELDS: z.coerce
    .number()
    .int('expected a whole number')
    .min(1)
    .optional()
    .meta({
      description:
        'root fields per operation (each alias counts; `__typename`, `__schema`, `__type` do not)',
      unset: '`20`',
    }),
  KDLENS_API_MAX_CONCURRENT: z.coerce
    .number()
    .int('expected a whole number')
    .min(1)
    .optional()
    .meta({
      description:
        'requests one caller (an API token, else the client address) may have computing at once; all anonymous clients on this machine (any `127.x.x.x`, `::1`) count as one caller, with 4 times this while anonymous read is on (the web app’s server and local scripts share it)',
      unset: '`4`',
    }),
  KDLENS_API_MAX_RUNNING: z.coerce.number().int('expected a whole number').min(1).optional().meta({
    description:
      'requests the API computes at once from all callers together; more wait up to `KDLENS_API_QUEUE_MS`, then get HTTP 503 `SERVER_BUSY` with `Retry-After`',
    unset: '4 × `KDLENS_API_MAX_CONCURRENT` (`16`)',
  }),
  KDLENS_API_QUEUE_MS: z.coerce.number().int('expected milliseconds').min(0).optional().meta({
    description:
      'how long an extra request waits for a slot before HTTP 429 `RATE_LIMITED` (its caller’s slots) or 503 `SERVER_BUSY` (the server’s) (`0`: refuse at once)',
    unset: '`1000`',
  }),
  // Connections (defaults 256 open, 10,000 ms to send headers, 5,000 ms idle keep-alive).
  KDLENS_API_MAX_CONNECTIONS: z.coerce
    .number()
    .int('expected a whole number')
    .min(1)
    .optional()
    .meta({
      description: 'open connections to the API, all clients together; more are closed at once',
      unset: '`256`',
    }),
  KDLENS_API_HEADERS_TIMEOUT_MS: z.coerce
    .number()
    .int('expected milliseconds')
    .min(100)
    .optional()
    .meta({
      description:
        'time a client has to send complete request headers (cuts off slowloris clients)',
      unset: '`10000`',
    }),
  KDLENS_API_KEEPALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int('expected milliseconds')
    .min(100)
    .optional()
    .meta({
      description: 'an idle keep-alive connection is closed after this long',
      unset: '`5000`',
    }),
});

/** Limits set in the environment, by the name they have in the API's ApiLimits. */
const apiLimitVariables = {
  maxDepth: 'KDLENS_API_MAX_DEPTH',
  maxCost: 'KDLENS_API_MAX_COST',
  timeoutMs: 'KDLENS_API_TIMEOUT_MS',
  maxRootFields: 'KDLENS_API_MAX_ROOT_FIELDS',
  maxConcurrent: 'KDLENS_API_MAX_CONCURRENT',
  maxRunning: 'KDLENS_API_MAX_RUNNING',
  queueMs: 'KDLENS_API_QUEUE_MS',
  maxConnections: 'KDLENS_API_MAX_CONNECTIONS',
  headersTimeoutMs: 'KDLENS_API_HEADERS_TIMEOUT_MS',
  keepAliveTimeoutMs: 'KDLENS_API_KEEPALIVE_TIMEOUT_MS',
} as const;

export interface Config {
  databaseUrl: string | undefined;
  /** Absolute directory for the embedded database, caches and checkpoints. */
  home: string;
  /** Where kdlens runs (npm's INIT_CWD, else the working directory): presets' relative roots start here. */
  workDir: string;
  /** Absolute folders a spec's dataset.root and pretrained paths must lie in (KDLENS_DATA_ROOTS). */
  dataRoots: string[];
  embeddedPgPort: number;
  api: {
    host: string;
    port: number;
    url: string;
    /** KDLENS_ALLOW_ANONYMOUS_READ; undefined when unset (the command picks its default). */
    allowAnonymousRead?: boolean;
    /** Query, caller and connection limits set in the environment; unset ones take the API's defaults. */
    limits: { [K in keyof typeof apiLimitVariables]?: number };
    /** KDLENS_METRICS_TOKEN: a bearer token that may read /metrics from anywhere. */
    metricsToken?: string;
  };
  web: {
    host: string;
    port: number;
    /** KDLENS_PUBLIC_URL without a trailing slash: where people reach the web app (a proxy). */
    publicUrl?: string;
  };
  backend: z.infer<typeof envSchema>['KDLENS_BACKEND'];
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  showProgress: boolean;
  /** Queue timings set in the environment; unset ones take the queue's defaults. */
  queue: { heartbeatSeconds?: number; staleAfterSeconds?: number };
  /** KDLENS_WORKER_EXPERIMENTS: the experiments (ids or names) workers are kept to; unset: all. */
  workerExperiments?: string[];
}

/** Parses the environment once; a bad value is a ConfigError naming every offending variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "unset", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`bad environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const heartbeat = e.KDLENS_HEARTBEAT_SECONDS ?? 5;
  const stale = e.KDLENS_STALE_SECONDS ?? 60;
  if (stale < 2 * heartbeat) {
    // Otherwise live workers would be declared dead between two of their own heartbeats.
    throw new ConfigError(
      `bad environment: KDLENS_STALE_SECONDS=${stale} must be at least twice KDLENS_HEARTBEAT_SECONDS=${heartbeat}`,
    );
  }
  // npm sets INIT_CWD to where the user typed the command, which stays the repo root even when
  // a workspace script runs in its own folder.
  const base = path.resolve(env.INIT_CWD ?? process.cwd());
  const home = path.resolve(base, e.KDLENS_HOME ?? '.kdlens');
  return {
    databaseUrl: e.DATABASE_URL,
    home,
    workDir: base,
    dataRoots:
      e.KDLENS_DATA_ROOTS === undefined
        ? defaultDataRoots(base, home)
        : parseDataRoots(e.KDLENS_DATA_ROOTS, base),
    embeddedPgPort: e.KDLENS_PG_PORT,
    api: {
      host: e.KDLENS_API_HOST,
      port: e.KDLENS_API_PORT,
      url: e.KDLENS_API_URL ?? `http://127.0.0.1:${e.KDLENS_API_PORT}/graphql`,
      ...(e.KDLENS_ALLOW_ANONYMOUS_READ === undefined
        ? {}
        : { allowAnonymousRead: e.KDLENS_ALLOW_ANONYMOUS_READ }),
      limits: Object.fromEntries(
        Object.entries(apiLimitVariables).flatMap(([limit, variable]) =>
          e[variable] === undefined ? [] : [[limit, e[variable]]],
        ),
      ),
      ...(e.KDLENS_METRICS_TOKEN === undefined ? {} : { metricsToken: e.KDLENS_METRICS_TOKEN }),
    },
    web: {
      host: e.KDLENS_WEB_HOST,
      port: e.KDLENS_WEB_PORT,
      ...(e.KDLENS_PUBLIC_URL === undefined
        ? {}
        : { publicUrl: e.KDLENS_PUBLIC_URL.replace(/\/+$/, '') }),
    },
    backend: e.KDLENS_BACKEND,
    logLevel: e.LOG_LEVEL,
    showProgress: !e.KDLENS_NO_PROGRESS && !env.CI,
    queue: {
      ...(e.KDLENS_HEARTBEAT_SECONDS === undefined
        ? {}
        : { heartbeatSeconds: e.KDLENS_HEARTBEAT_SECONDS }),
      ...(e.KDLENS_STALE_SECONDS === undefined
        ? {}
        : { staleAfterSeconds: e.KDLENS_STALE_SECONDS }),
    },
    ...(e.KDLENS_WORKER_EXPERIMENTS === undefined
      ? {}
      : { workerExperiments: e.KDLENS_WORKER_EXPERIMENTS }),
  };
}

import http from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { KdlensError, type Logger } from '@kdlens/core';
import type { Database } from '@kdlens/core/db';
import { type ApiContext, createContext } from './context.ts';
import { BodyTooLargeError, readBody } from './http/read-body.ts';
import { buildApiSchema } from './schema/build-schema.ts';

export interface ApiServer {
  url: string;
  stop(): Promise<void>;
}

export interface ApiServerOptions {
  db: Database;
  log: Logger;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

const BODY_LIMIT = 1024 * 1024;

/**
 * Serves GraphQL at /graphql and a liveness probe at /healthz. Our own small HTTP adapter
 * (instead of Apollo's standalone server) so that a busy port becomes a clear error and other
 * endpoints can live beside GraphQL.
 */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const schema = await buildApiSchema();
  const httpServer = http.createServer();
  const apollo = new ApolloServer<ApiContext>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
    logger: {
      debug: (m) => opts.log.debug(m),
      info: (m) => opts.log.info(m),
      warn: (m) => opts.log.warn(m),
      error: (m) => opts.log.error(m),
    },
  });
  await apollo.start();

  httpServer.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname !== '/graphql') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GraphQL is at /graphql');
      return;
    }
    handleGraphql(apollo, opts.db, req, res, url.search).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        res.writeHead(413, { 'content-type': 'text/plain' }).end(error.message);
      } else if (error instanceof SyntaxError) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('request body is not valid JSON');
      } else {
        opts.log.error({ err: error }, 'GraphQL request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new KdlensError(
              `port ${opts.port} on ${opts.host} is already in use: stop what uses it or set KDLENS_API_PORT`,
            )
          : error,
      );
    });
    httpServer.listen(opts.port, opts.host, () => resolve());
  }).catch(async (error: unknown) => {
    await apollo.stop();
    throw error;
  });

  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${opts.host}:${port}/graphql`;
  opts.log.info({ url }, 'GraphQL API listening');
  return { url, stop: () => apollo.stop() };
}

async function handleGraphql(
  apollo: ApolloServer<ApiContext>,
  db: Database,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  search: string,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const body = await readBody(req, BODY_LIMIT);
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search, body },
    context: async () => createContext(db),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

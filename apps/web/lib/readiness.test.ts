import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webReadiness } from './readiness.ts';

// A real HTTP server stands in for the API's /readyz answers; the web's check reads them.
let answer: { status: number; body: string } | 'hang' = { status: 200, body: 'ready' };
const paths: string[] = [];
const server = http.createServer((req, res) => {
  paths.push(req.url ?? '');
  if (answer === 'hang') return;
  res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('webReadiness', () => {
  it("asks the API's /readyz beside its GraphQL endpoint", async () => {
    answer = { status: 200, body: 'ready' };
    expect(await webReadiness(`${base}/graphql`)).toEqual({ ready: true });
    expect(paths.at(-1)).toBe('/readyz');
  });

  it("passes on the API's reason", async () => {
    answer = { status: 503, body: 'not ready: migrations pending (3 of 4 applied)' };
    expect(await webReadiness(`${base}/graphql`)).toEqual({
      ready: false,
      reason: 'API: not ready: migrations pending (3 of 4 applied)',
    });
  });

  it('reports an API that does not answer in time, or at all', async () => {
    answer = 'hang';
    expect(await webReadiness(`${base}/graphql`, 200)).toEqual({
      ready: false,
      reason: `API at ${base} did not answer within 200 ms`,
    });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await webReadiness(`http://127.0.0.1:${port}/graphql`)).toEqual({
      ready: false,
      reason: `API at http://127.0.0.1:${port} unreachable`,
    });
  });
});

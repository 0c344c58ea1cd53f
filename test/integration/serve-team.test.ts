import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliEnv, kdlensBin } from '../support/cli.ts';
import { createNetns, type Netns, netnsUnavailable } from '../support/netns.ts';

// `kdlens serve` bound to an address off loopback, inside a network namespace this test creates,
// with the client in the same namespace: what a teammate's machine sees. Anonymous reading was
// asked for (KDLENS_ALLOW_ANONYMOUS_READ=1) and must stay off: everyone signs in.
const skip = netnsUnavailable();
if (skip !== null) process.stdout.write(`serve-team.test.ts skipped: ${skip}\n`);
const webBuilt = existsSync(path.join(path.dirname(kdlensBin), '../../web/.next/BUILD_ID'));
if (skip === null && !webBuilt) {
  process.stdout.write(
    'serve-team.test.ts skipped: the web app is not built (npm run build -w @kdlens/web)\n',
  );
}

const API_PORT = 4000;
const WEB_PORT = 3000;
let ns: Netns | undefined;
let home = '';
let server: ChildProcess | undefined;
let exited: Promise<number | null> | undefined;
let output = '';
let viewer = '';

/** Runs a node ESM script inside the namespace and returns its stdout parsed as JSON. */
async function inNamespace<T>(script: string): Promise<T> {
  if (!ns) throw new Error('no namespace');
  const file = path.join(home, `client-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, script);
  const child = ns.spawn([process.execPath, file], process.env);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`client script failed (${code}): ${err}`);
  return JSON.parse(out) as T;
}

/** Runs `kdlens <args>` in the namespace to completion; stdout. */
async function kdlensInNamespace(args: string[], env: Record<string, string>): Promise<string> {
  if (!ns) throw new Error('no namespace');
  const child = ns.spawn([process.execPath, kdlensBin, ...args], cliEnv(env));
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`kdlens ${args.join(' ')} failed (${code}): ${err}`);
  return out;
}

/** Starts `kdlens <args>` in the namespace and waits for it to say it serves. */
async function serveInNamespace(
  args: string[],
  env: Record<string, string>,
): Promise<ChildProcess> {
  if (!ns) throw new Error('no namespace');
  output = '';
  const child = ns.spawn([process.execPath, kdlensBin, ...args], cliEnv(env));
  server = child;
  exited = new Promise((r) => child.on('close', (code, signal) => r(code ?? (signal ? -1 : null))));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${output}`)), 120_000);
    const onData = (c: Buffer) => {
      output += c.toString();
      if (/Ctrl-C stops/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited?.then((code) => reject(new Error(`kdlens ${args[0]} exited (${code}): ${output}`)));
  });
  return child;
}

beforeAll(async () => {
  if (skip !== null || !webBuilt) return;
  ns = createNetns();
  home = await mkdtemp(path.join(os.tmpdir(), 'kdlens-serve-team-'));
}, 30_000);

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGKILL');
    await exited;
  }
  ns?.remove();
  if (home) await rm(home, { recursive: true, force: true });
});

it.skipIf(skip !== null || !webBuilt)(
  '`kdlens serve --host` off loopback: sign-in required, probes answer, SIGTERM stops it',
  async () => {
    const address = ns?.address ?? '';
    // The embedded PostgreSQL of KDLENS_HOME, on the namespace's own 127.0.0.1.
    const env = {
      KDLENS_HOME: home,
      KDLENS_API_HOST: address,
      KDLENS_API_PORT: String(API_PORT),
      KDLENS_WEB_PORT: String(WEB_PORT),
      KDLENS_ALLOW_ANONYMOUS_READ: '1',
    };
    viewer = (
      await kdlensInNamespace(['token', 'create', '--role', 'viewer', '--name', 'teammate'], env)
    ).trim();
    expect(viewer).toMatch(/^\S{20,}$/);

    const child = await serveInNamespace(['serve', '--host', address], env);
    expect(output).toContain(`open http://${address}:${WEB_PORT}`);
    expect(output).toMatch(/KDLENS_ALLOW_ANONYMOUS_READ=1 is ignored: KDLens is reached at/);

    const api = `http://${address}:${API_PORT}`;
    const web = `http://${address}:${WEB_PORT}`;
    type Seen = { status: number; body: string };
    const seen = await inNamespace<Record<string, Seen>>(`
      const query = JSON.stringify({ query: 'query TeamExperiments { experiments { edges { node { id } } } }' });
      const post = (headers) => fetch(${JSON.stringify(`${api}/graphql`)}, {
        method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: query });
      const read = async (p) => { const r = await p; return { status: r.status, body: await r.text() }; };
      const viewer = ${JSON.stringify(viewer)};
      const out = {
        apiHealthz: await read(fetch(${JSON.stringify(`${api}/healthz`)})),
        apiReadyz: await read(fetch(${JSON.stringify(`${api}/readyz`)})),
        anonymousGraphql: await read(post({})),
        viewerGraphql: await read(post({ authorization: 'Bearer ' + viewer })),
        metricsAnonymous: await read(fetch(${JSON.stringify(`${api}/metrics`)})),
        metricsViewer: await read(fetch(${JSON.stringify(`${api}/metrics`)}, { headers: { authorization: 'Bearer ' + viewer } })),
        webHealthz: await read(fetch(${JSON.stringify(`${web}/healthz`)})),
        webReadyz: await read(fetch(${JSON.stringify(`${web}/readyz`)})),
        webAnonymous: await read(fetch(${JSON.stringify(`${web}/experiments`)})),
        webSignIn: await read(fetch(${JSON.stringify(`${web}/sign-in`)})),
        webSignedIn: await read(fetch(${JSON.stringify(`${web}/experiments`)}, { headers: { cookie: 'kdlens_token=' + viewer } })),
      };
      process.stdout.write(JSON.stringify(out));
    `);
    expect(seen.apiHealthz).toEqual({ status: 200, body: 'ok' });
    expect(seen.apiReadyz).toEqual({ status: 200, body: 'ready' });
    // Anonymous reading is off although it was asked for: the API wants a token.
    expect(seen.anonymousGraphql?.status).toBe(401);
    expect(JSON.parse(seen.anonymousGraphql?.body ?? '{}').errors[0].extensions.code).toBe(
      'UNAUTHENTICATED',
    );
    expect(seen.viewerGraphql?.status).toBe(200);
    expect(JSON.parse(seen.viewerGraphql?.body ?? '{}')).toEqual({
      data: { experiments: { edges: [] } },
    });
    // /metrics is for this machine or KDLENS_METRICS_TOKEN; a viewer's token does not open it.
    expect(seen.metricsAnonymous?.status).toBe(403);
    expect(seen.metricsViewer?.status).toBe(403);
    expect(seen.webHealthz).toEqual({ status: 200, body: 'ok' });
    expect(seen.webReadyz).toEqual({ status: 200, body: 'ready' });
    // The web app serves the teammate (no 403 for the Host) and asks them to sign in.
    expect(seen.webAnonymous?.status).toBe(200);
    expect(seen.webAnonymous?.body).toContain('Sign in with an API token to see this.');
    expect(seen.webSignIn?.status).toBe(200);
    expect(seen.webSignIn?.body).toContain('name="token"');
    expect(seen.webSignedIn?.status).toBe(200);
    expect(seen.webSignedIn?.body).not.toContain('Sign in with an API token to see this.');

    // SIGTERM (systemd's stop) ends it cleanly: web app, API and the embedded database.
    child.kill('SIGTERM');
    const code = await exited;
    expect(code, output).toBe(143); // 128 + SIGTERM
    expect(existsSync(path.join(home, 'postgres', 'postmaster.pid'))).toBe(false);
  },
  240_000,
);

it.skipIf(skip !== null || !webBuilt)(
  '`kdlens start --no-demo --host` off loopback does not turn on anonymous reading for the demo',
  async () => {
    const address = ns?.address ?? '';
    // The API on the namespace's loopback (the demo's default), the web app off it: without the
    // rule, the demo default would let the web app read for any visitor.
    const child = await serveInNamespace(['start', '--no-demo', '--host', address], {
      KDLENS_HOME: home,
      KDLENS_API_PORT: String(API_PORT),
      KDLENS_WEB_PORT: String(WEB_PORT),
    });
    expect(output).toContain(`open http://${address}:${WEB_PORT}`);
    const seen = await inNamespace<Record<string, { status: number; body: string }>>(`
      const read = async (p) => { const r = await p; return { status: r.status, body: await r.text() }; };
      const out = {
        web: await read(fetch(${JSON.stringify(`http://${address}:${WEB_PORT}/experiments`)})),
        api: await read(fetch('http://127.0.0.1:${API_PORT}/graphql', {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ viewer { anonymous canRead } }' }) })),
      };
      process.stdout.write(JSON.stringify(out));
    `);
    expect(seen.web?.status).toBe(200);
    expect(seen.web?.body).toContain('Sign in with an API token to see this.');
    expect(JSON.parse(seen.api?.body ?? '{}')).toEqual({
      data: { viewer: { anonymous: true, canRead: false } },
    });
    child.kill('SIGINT');
    expect(await exited, output).toBe(130);
  },
  240_000,
);

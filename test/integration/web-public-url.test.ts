import { type ApiServer, startApiServer } from '@kdlens/api';
import { startWeb, type WebServer } from '@kdlens/cli';
import { createLogger } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// The web app behind a TLS reverse proxy (KDLENS_PUBLIC_URL=https://kdlens.example.org) that
// passes this server's own Host: sign-in from the public origin works and sets a Secure cookie,
// any other origin is still refused; and the web's probes follow the API's.
const log = createLogger('silent', 'web-public-url');
const PUBLIC = 'https://kdlens.example.org';
let t: TestDatabase;
let api: ApiServer;
let proxied: WebServer;
let plain: WebServer;
let viewer = '';
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase('web_public_url');
  viewer = (await createApiToken(t.warehouse.db, { name: 'v', role: 'viewer' })).token;
  api = await startApiServer({ db: t.warehouse.db, log, host: '127.0.0.1', port: 0 });
  stops.push(() => api.stop());
  proxied = await startWeb({ port: await freePort(), apiUrl: api.url, log, publicUrl: PUBLIC });
  stops.push(proxied.stop);
  plain = await startWeb({ port: await freePort(), apiUrl: api.url, log });
  stops.push(plain.stop);
}, 180_000);
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await t?.drop();
});

/**
 * Submits the sign-in form as a browser without JavaScript does (the hidden fields React renders
 * for the server action), with the Origin a browser at `origin` sends.
 */
async function signIn(web: WebServer, origin: string) {
  const html = await (await fetch(`${web.url}/sign-in`)).text();
  const form = /<form[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const body = new FormData();
  for (const [input] of form.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input)?.[1];
    const value = /value="([^"]*)"/.exec(input)?.[1] ?? '';
    if (name) body.append(name, value.replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
  }
  expect([...body.keys()].some((k) => k.startsWith('$ACTION_'))).toBe(true);
  body.set('token', viewer);
  const response = await fetch(`${web.url}/sign-in`, {
    method: 'POST',
    body,
    headers: { origin },
    redirect: 'manual',
  });
  await response.body?.cancel();
  return { status: response.status, cookie: response.headers.get('set-cookie') };
}

describe('KDLENS_PUBLIC_URL', () => {
  it('lets sign-in come from the public origin, with a Secure cookie', async () => {
    const r = await signIn(proxied, PUBLIC);
    expect(r.status).toBe(303);
    expect(r.cookie).toMatch(new RegExp(`^kdlens_token=${viewer};`));
    expect(r.cookie).toMatch(/; Secure;/);
    expect(r.cookie).toMatch(/; HttpOnly;/);
  });

  it('still refuses another origin (CSRF)', async () => {
    const r = await signIn(proxied, 'https://evil.example');
    expect(r.status).toBe(500);
    expect(r.cookie).toBeNull();
  });

  it('changes nothing without it: the public origin is foreign, and the cookie is not Secure', async () => {
    expect((await signIn(plain, PUBLIC)).status).toBe(500);
    const same = await signIn(plain, plain.url);
    expect(same.status).toBe(303);
    expect(same.cookie).not.toMatch(/Secure/);
    expect(plain.publicUrl).toBe(plain.url);
    expect(proxied.publicUrl).toBe(PUBLIC);
  });
});

describe('web probes', () => {
  it("answers /healthz, and /readyz as the API's /readyz until the API stops", async () => {
    const get = async (url: string) => {
      const r = await fetch(url);
      return { status: r.status, body: await r.text(), cache: r.headers.get('cache-control') };
    };
    expect(await get(`${plain.url}/healthz`)).toEqual({
      status: 200,
      body: 'ok',
      cache: 'no-store',
    });
    expect(await get(`${plain.url}/readyz`)).toEqual({
      status: 200,
      body: 'ready',
      cache: 'no-store',
    });
    await api.stop();
    const down = await get(`${plain.url}/readyz`);
    expect(down.status).toBe(503);
    expect(down.body).toBe(`not ready: API at ${new URL(api.url).origin} unreachable`);
    // Liveness is the web's own process: still up.
    expect((await get(`${plain.url}/healthz`)).status).toBe(200);
  });
});

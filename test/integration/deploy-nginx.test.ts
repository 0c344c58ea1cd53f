import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeImportedStudy } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kdlensBin, startCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { type StudyPlan, seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// docs/deploy.md's TLS setup, as committed: `kdlens serve` on loopback behind Debian's nginx with
// deploy/nginx/kdlens.conf (placeholders filled in) and a self-signed certificate. Over https,
// through the proxy: sign-in sets a Secure cookie and the pages work with it, the server names
// KDLENS_PUBLIC_URL, scripts use GraphQL with a token (and without one are refused), and exports
// stream, from the API and through the web app.
const NGINX = '/usr/sbin/nginx';
const HOST = 'kdlens.test';
const template = fileURLToPath(new URL('../../deploy/nginx/kdlens.conf', import.meta.url));
const webBuilt = existsSync(path.join(path.dirname(kdlensBin), '../../web/.next/BUILD_ID'));
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();
const skip = !existsSync(NGINX)
  ? `${NGINX} is not installed`
  : !hasOpenssl
    ? 'openssl is not installed'
    : !webBuilt
      ? 'the web app is not built (npm run build -w @kdlens/web)'
      : null;
if (skip !== null) process.stdout.write(`deploy-nginx.test.ts skipped: ${skip}\n`);

const plan: StudyPlan = {
  classNames: ['cat', 'dog', 'bird'],
  examplesPerClass: 10,
  seeds: [0, 1],
  arms: [
    {
      role: 'student',
      temperature: null,
      architecture: 'mlp',
      errorByClass: [0.3],
      groupPenalty: 0,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'mlp',
      errorByClass: [0.1],
      groupPenalty: 0,
    },
  ],
  sensitive: {},
};
const EXAMPLES = 30;
const RUNS = 4;

let t: TestDatabase;
let dir = '';
let tlsPort = 0;
let ca = '';
let viewer = '';
let experimentId = '';
let serveOutput = () => '';
const stops: (() => Promise<void>)[] = [];

/** Fills the template's @NAME@ placeholders; every one must be given. */
function render(text: string, values: Record<string, string>): string {
  const out = text.replace(/@([A-Z_]+)@/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${whole}`);
    return value;
  });
  return out;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  chunks: number;
}

/** One https request to the proxy, as a browser at https://kdlens.test:<port> sends it. */
function request(
  method: string,
  target: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: tlsPort,
        servername: HOST,
        ca,
        method,
        path: target,
        headers: { host: `${HOST}:${tlsPort}`, ...opts.headers },
      },
      (res) => {
        let body = '';
        let chunks = 0;
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          chunks++;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, chunks }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const graphql = (query: string, token?: string) =>
  request('POST', '/graphql', {
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query }),
  });

beforeAll(async () => {
  if (skip !== null) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-nginx-'));
  t = await createTestDatabase('deploy_nginx');
  viewer = (await createApiToken(t.warehouse.db, { name: 'v', role: 'viewer' })).token;
  experimentId = (
    await writeImportedStudy(
      t.warehouse.db,
      { experiment: 'behind-nginx', dataset: 'seeded', files: [] },
      seededStudy(plan),
    )
  ).experimentId;

  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${HOST}`,
      '-addext',
      `subjectAltName=DNS:${HOST}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  ca = await readFile(cert, 'utf8');

  const [apiPort, webPort] = [await freePort(), await freePort()];
  tlsPort = await freePort();
  const publicUrl = `https://${HOST}:${tlsPort}`;
  const serve = await startCli(
    ['serve'],
    {
      DATABASE_URL: t.url,
      KDLENS_API_PORT: String(apiPort),
      KDLENS_WEB_PORT: String(webPort),
      KDLENS_PUBLIC_URL: publicUrl,
      KDLENS_WEB_SECURE_COOKIE: '1',
      KDLENS_HOME: dir,
      LOG_LEVEL: 'warn',
    },
    /KDLens is serving/,
  );
  serveOutput = serve.output;
  stops.push(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });

  const site = render(await readFile(template, 'utf8'), {
    PUBLIC_HOST: HOST,
    TLS_PORT: String(tlsPort),
    CERT: cert,
    KEY: key,
    WEB_PORT: String(webPort),
    API_PORT: String(apiPort),
  });
  await writeFile(path.join(dir, 'kdlens.conf'), site);
  // Debian's nginx.conf in miniature: the site is included in the http context. One process,
  // in the foreground, every path in the temporary folder (no root, nothing under /var).
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    await mkdir(path.join(dir, sub));
  }
  await writeFile(
    path.join(dir, 'nginx.conf'),
    `pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
daemon off;
master_process off;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/kdlens.conf;
}
`,
  );
  const nginxArgs = ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`];
  execFileSync(NGINX, [...nginxArgs, '-t'], { stdio: 'pipe' });
  const nginx = spawn(NGINX, nginxArgs, { stdio: 'ignore' });
  const nginxExited = new Promise<void>((r) => nginx.once('exit', () => r()));
  stops.push(async () => {
    nginx.kill('SIGQUIT');
    await nginxExited;
  });
  // Ready once it answers over TLS.
  for (let i = 0; ; i++) {
    const ok = await request('GET', '/healthz').then(
      (a) => a.status === 200,
      () => false,
    );
    if (ok) break;
    if (i > 100)
      throw new Error(`nginx did not come up: ${await readFile(`${dir}/error.log`, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await t?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(skip !== null)('kdlens serve behind nginx with TLS', () => {
  it('names KDLENS_PUBLIC_URL, and the probes answer through the proxy', async () => {
    expect(serveOutput()).toContain(`open https://${HOST}:${tlsPort}`);
    expect((await request('GET', '/readyz')).body).toBe('ready');
    // Metrics stay on the machine.
    expect((await request('GET', '/metrics')).status).toBe(404);
  });

  it('signs in over https with a Secure cookie, and the pages work with it', async () => {
    const page = await request('GET', '/sign-in');
    expect(page.status).toBe(200);
    const form = /<form[\s\S]*?<\/form>/.exec(page.body)?.[0] ?? '';
    const fields = new FormData();
    for (const [input] of form.matchAll(/<input[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input)?.[1];
      const value = /value="([^"]*)"/.exec(input)?.[1] ?? '';
      if (name) fields.append(name, value.replaceAll('&quot;', '"').replaceAll('&amp;', '&'));
    }
    expect([...fields.keys()].some((k) => k.startsWith('$ACTION_'))).toBe(true);
    fields.set('token', viewer);
    // A browser's multipart body, encoded by the platform.
    const encoded = new Response(fields);
    const signIn = await request('POST', '/sign-in', {
      headers: {
        'content-type': encoded.headers.get('content-type') ?? '',
        origin: `https://${HOST}:${tlsPort}`,
      },
      body: Buffer.from(await encoded.arrayBuffer()),
    });
    expect(signIn.status).toBe(303);
    const cookie = String(signIn.headers['set-cookie'] ?? '');
    expect(cookie).toMatch(new RegExp(`^kdlens_token=${viewer};`));
    expect(cookie).toMatch(/; Secure;/);
    expect(cookie).toMatch(/; HttpOnly;/);

    const home = await request('GET', '/', {
      headers: { cookie: `kdlens_token=${viewer}` },
    });
    expect(home.status).toBe(200);
    expect(home.body).toContain('behind-nginx');
  });

  it('passes on only its public name: a forged Host or a bare address gets nothing', async () => {
    // The public name in TLS but the API's loopback address as Host: the default server drops it.
    await expect(
      request('GET', '/healthz', { headers: { host: '127.0.0.1:4000' } }),
    ).rejects.toThrow(/socket hang up|ECONNRESET/);
    // No name at all (a scan of the address): the handshake itself is refused.
    const bare = new Promise<void>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: tlsPort, ca, path: '/healthz', rejectUnauthorized: false },
        () => reject(new Error('answered a request without the public name')),
      );
      req.on('error', () => resolve());
      req.end();
    });
    await bare;
  });

  it('serves GraphQL to scripts with a token, and refuses them without one', async () => {
    const answer = await graphql('{ experiments { totalCount edges { node { name } } } }', viewer);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      data: { experiments: { totalCount: 1, edges: [{ node: { name: 'behind-nginx' } }] } },
    });
    const anonymous = await graphql('{ experiments { totalCount } }');
    expect(anonymous.status).toBe(401);
  });

  it('streams exports, from the API and through the web app', async () => {
    const direct = await request('GET', '/export/behind-nginx/predictions.csv', {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(direct.status).toBe(200);
    expect(direct.headers['content-type']).toMatch(/^text\/csv/);
    // Streamed: chunked, no length known up front.
    expect(direct.headers['transfer-encoding']).toBe('chunked');
    const lines = direct.body.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + RUNS * EXAMPLES);

    const viaWeb = await request('GET', `/experiments/${experimentId}/export/predictions.csv`, {
      headers: { cookie: `kdlens_token=${viewer}` },
    });
    expect(viaWeb.status).toBe(200);
    expect(viaWeb.body).toBe(direct.body);
  });
});

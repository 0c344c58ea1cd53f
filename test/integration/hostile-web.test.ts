/**
 * Issue 12, the browser-facing items, against a real API (anonymous read on, response cache on),
 * the built web app and a real headless Chromium:
 *  4. DNS rebinding: while anonymous read is on, a request without a token to a non-loopback Host
 *     gets 403 from the API (FORBIDDEN_HOST) and from the web app, and no data;
 *  7. CSV formula injection: class and group names like `=HYPERLINK(…)` come out of the web's
 *     CSV downloads and `kdlens report --format csv` as text ('-prefixed), numbers as numbers;
 *  9. security headers on every web response, the Launch page cannot be framed, and no page
 *     breaks under the CSP.
 */

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApiServer, startApiServer } from '@kdlens/api';
import { startWeb } from '@kdlens/cli';
import { createLogger, writeImportedStudy } from '@kdlens/core';
import { createApiToken } from '@kdlens/core/db';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, haveChromium, launchChromium } from '../support/browser.ts';
import { runCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { type StudyPlan, seededStudy } from '../support/seeded-study.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const log = createLogger('warn', 'hostile-web');
const runBrowser = haveChromium || Boolean(process.env.CI);

// Names a spreadsheet would evaluate: one per trigger character of OWASP's rule.
const hostileClasses = ['=HYPERLINK("http://x","y")', '+1-1', '-2+3', '@SUM(A1:A2)'];
const hostileGroups = ['=1+1', '@cmd'];
const plan: StudyPlan = {
  classNames: hostileClasses,
  examplesPerClass: 20,
  seeds: [0, 1],
  sensitive: { color: hostileGroups },
  arms: [
    {
      role: 'teacher',
      temperature: null,
      architecture: 'resnet56',
      errorByClass: [0.05, 0.1, 0.05, 0.1],
      groupPenalty: 0,
    },
    {
      role: 'student',
      temperature: null,
      architecture: 'resnet20',
      errorByClass: [0.6, 0.2, 0.1, 0.3],
      groupPenalty: 0.1,
    },
    {
      role: 'distilled',
      temperature: 4,
      architecture: 'resnet20',
      errorByClass: [0.2, 0.1, 0.3, 0.1],
      groupPenalty: 0.05,
    },
  ],
};
// The report names attributes in its table titles: a comma there used to start a new cell.
const reportAttribute = 'grp,=HYPERLINK("http://x","y")';

let t: TestDatabase;
let api: ApiServer;
let apiPort = 0;
let webUrl = '';
let webPort = 0;
let viewerToken = '';
let operatorToken = '';
let experimentId = '';
let browser: Browser | undefined;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase('hostileweb');
  experimentId = (
    await writeImportedStudy(
      t.warehouse.db,
      { experiment: 'hostile-study', dataset: 'shapes-import', files: [] },
      seededStudy(plan),
    )
  ).experimentId;
  await writeImportedStudy(
    t.warehouse.db,
    { experiment: 'report-study', dataset: 'shapes-import', files: [] },
    seededStudy({ ...plan, sensitive: { [reportAttribute]: ['=1+1', '-1'] } }),
  );
  viewerToken = (await createApiToken(t.warehouse.db, { name: 'v', role: 'viewer' })).token;
  operatorToken = (await createApiToken(t.warehouse.db, { name: 'op', role: 'operator' })).token;
  api = await startApiServer({
    db: t.warehouse.db,
    log,
    host: '127.0.0.1',
    port: 0,
    allowAnonymousRead: true,
  });
  stops.push(api.stop);
  apiPort = Number(new URL(api.url).port);
  webPort = await freePort();
  const web = await startWeb({ port: webPort, apiUrl: api.url, log });
  stops.push(web.stop);
  webUrl = web.url;
  if (runBrowser) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const stop of stops.reverse()) await stop();
  await t?.drop();
});

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with a Host header of our choosing (fetch does not let one set it). */
function request(
  port: number,
  opts: { path: string; host?: string; method?: string; headers?: Record<string, string> },
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.host !== undefined) headers.host = opts.host;
    const req = http.request(
      { host: '127.0.0.1', port, path: opts.path, method: opts.method ?? 'GET', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const listQuery = '{ experiments(first: 10) { edges { node { name } } } }';

function graphqlPost(host: string, token?: string): Promise<RawResponse> {
  return request(
    apiPort,
    {
      path: '/graphql',
      method: 'POST',
      host,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    },
    JSON.stringify({ query: listQuery }),
  );
}

/** Minimal RFC 4180 reader, written here so the test does not trust the code it checks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

const formulaStart = /^[=+\-@\t\r]/;
const numeric = /^-?\d+(\.\d+)?(e-?\d+)?$/;

describe('DNS rebinding (anonymous read on)', () => {
  it('the API refuses a foreign Host without a token: 403 FORBIDDEN_HOST and no data', async () => {
    // Warm the response cache first: a cache hit must not skip the Host check.
    const loopback = await graphqlPost(`127.0.0.1:${apiPort}`);
    expect(loopback.status).toBe(200);
    expect(loopback.body).toContain('hostile-study');
    const again = await graphqlPost(`127.0.0.1:${apiPort}`);
    expect(again.headers['x-kdlens-cache']).toBe('hit');

    for (const host of [
      'attacker.example',
      `attacker.example:${apiPort}`,
      `127.0.0.1.attacker.example:${apiPort}`,
      `localhost.attacker.example:${apiPort}`,
    ]) {
      const refused = await graphqlPost(host);
      expect(refused.status, host).toBe(403);
      const body = JSON.parse(refused.body) as {
        data?: unknown;
        errors: { message: string; extensions: { code: string } }[];
      };
      expect(body.data, host).toBeUndefined();
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['FORBIDDEN_HOST']);
      expect(body.errors[0]?.message).toMatch(/anonymous reading is on .* names another host/);
      expect(refused.body).not.toContain('hostile-study');
    }
    // A GET (and introspection) is no way round it.
    const get = await request(apiPort, {
      path: `/graphql?query=${encodeURIComponent(listQuery)}`,
      host: 'attacker.example',
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(403);
    expect(get.body).not.toContain('hostile-study');
  });

  it('the API serves loopback names, and a token from any Host', async () => {
    for (const host of [`localhost:${apiPort}`, `[::1]:${apiPort}`, `127.0.0.1:${apiPort}`]) {
      const r = await graphqlPost(host);
      expect(r.status, host).toBe(200);
      expect(r.body, host).toContain('hostile-study');
    }
    const withToken = await graphqlPost('attacker.example', viewerToken);
    expect(withToken.status).toBe(200);
    expect(withToken.body).toContain('hostile-study');
    // A bad token is not a way to be served anonymously: refused for the token.
    const badToken = await graphqlPost('attacker.example', 'kdl_not-a-token');
    expect(badToken.status).toBe(401);
    expect(badToken.body).not.toContain('hostile-study');
  });

  it('the web refuses a foreign Host without a token: 403 and no experiment names', async () => {
    for (const path of [
      '/',
      '/experiments',
      `/experiments/${experimentId}/classes`,
      `/experiments/${experimentId}/export/runs.csv`,
    ]) {
      const page = await request(webPort, { path, host: `attacker.example:${webPort}` });
      expect(page.status, path).toBe(403);
      expect(page.body).toMatch(/^Forbidden: anonymous reading is on, for this machine only/);
      expect(page.body).not.toContain('hostile-study');
      expect(page.body).not.toContain('HYPERLINK');
      expect(page.headers['x-frame-options']).toBe('DENY');
      // An empty cookie sends no token (lib/graphql.ts), so it is still anonymous.
      const emptyCookie = await request(webPort, {
        path,
        host: `attacker.example:${webPort}`,
        headers: { cookie: 'kdlens_token=' },
      });
      expect(emptyCookie.status, path).toBe(403);
    }
    const loopback = await request(webPort, { path: '/experiments', host: `127.0.0.1:${webPort}` });
    expect(loopback.status).toBe(200);
    expect(loopback.body).toContain('hostile-study');
    // Anonymous reading on the loopback Host downloads without a token, as pages read.
    const download = await request(webPort, {
      path: `/experiments/${experimentId}/export/runs.csv`,
      host: `127.0.0.1:${webPort}`,
    });
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toContain('filename="hostile-study-runs.csv"');
    // Signed in, the Host does not matter: the browser only sends the cookie to its own site.
    const signedIn = await request(webPort, {
      path: '/experiments',
      host: `kdlens.example:${webPort}`,
      headers: { cookie: `kdlens_token=${viewerToken}` },
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toContain('hostile-study');
  });

  it.runIf(runBrowser)(
    'a browser whose DNS answers 127.0.0.1 for attacker.example gets 403',
    async () => {
      // What DNS rebinding does, without a DNS server: Chromium's resolver maps the name.
      const rebound = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: ['--no-sandbox', '--host-resolver-rules=MAP attacker.example 127.0.0.1'],
      });
      try {
        const page = await rebound.newPage();
        const response = await page.goto(`http://attacker.example:${webPort}/experiments`);
        expect(response?.status()).toBe(403);
        expect(await page.content()).not.toContain('hostile-study');
        const apiAnswer = await page.goto(
          `http://attacker.example:${apiPort}/graphql?query=${encodeURIComponent(listQuery)}`,
        );
        expect(apiAnswer?.status()).toBe(403);
        expect(await page.content()).not.toContain('hostile-study');
        // The web's download route forwards to the API's /export: refused before it does.
        const download = await page.goto(
          `http://attacker.example:${webPort}/experiments/${experimentId}/export/runs.csv`,
        );
        expect(download?.status()).toBe(403);
        expect(await page.content()).not.toContain('hostile-study');
      } finally {
        await rebound.close();
      }
    },
  );
});

describe('security headers', () => {
  it('are on every web response, with exact values', async () => {
    const page = await request(webPort, { path: '/experiments' });
    const csp = String(page.headers['content-security-policy']);
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1] ?? '';
    expect(nonce.length).toBeGreaterThanOrEqual(16);
    expect(csp).toBe(
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    // Next.js put the nonce on its own scripts.
    expect(page.body).toContain(`nonce="${nonce}"`);
    const second = await request(webPort, { path: '/experiments' });
    expect(second.headers['content-security-policy']).not.toContain(nonce);

    const script = /<script src="(\/_next\/static\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const missing = await request(webPort, { path: '/no-such-page' });
    expect(missing.status).toBe(404);
    for (const r of [
      page,
      second,
      missing,
      await request(webPort, { path: script ?? '' }),
      await request(webPort, { path: '/sign-in' }),
    ]) {
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('same-origin');
      expect(r.headers['permissions-policy']).toBe(
        'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
      );
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('are on API responses too', async () => {
    for (const path of ['/graphql', '/healthz', '/nope']) {
      const r = await request(apiPort, { path, host: `127.0.0.1:${apiPort}` });
      expect(r.headers['x-content-type-options'], path).toBe('nosniff');
      expect(r.headers['content-security-policy'], path).toBe("frame-ancestors 'none'");
      expect(r.headers['x-frame-options'], path).toBe('DENY');
    }
  });
});

describe.runIf(runBrowser)('in Chromium', () => {
  let operator: { context: BrowserContext; page: Page };
  const violations: string[] = [];

  async function signIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    page.on('pageerror', (e) => violations.push(`page error: ${e.message}`));
    // Also the page's own event: some violations (eval, inline handlers) log nothing by default.
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) =>
        console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));`,
    });
    await page.goto(`${webUrl}/sign-in`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${webUrl}/experiments`);
    await page.getByTestId('experiments-table').waitFor();
    return { context, page };
  }

  afterAll(async () => {
    await operator?.context.close();
  });

  it('visits overview, classes, groups, runs, launch and import without a CSP violation', async () => {
    operator = await signIn(operatorToken);
    const { page } = operator;
    const base = `${webUrl}/experiments/${experimentId}`;
    await page.goto(base);
    await expect
      .poll(() => page.locator('figure.chart[data-drawn="false"]').count(), { timeout: 15_000 })
      .toBe(0);
    // Scripts ran: Plot drew into the chart.
    expect(await page.locator('[data-testid="significance-chart"] svg').count()).toBeGreaterThan(0);
    await page.goto(`${base}/classes?a=student&b=T4`);
    await expect
      .poll(() => page.getByTestId('class-explorer').getAttribute('data-ready'))
      .toBe('true');
    await page.goto(`${base}/groups`);
    await page.getByTestId('group-table').first().waitFor();
    await page.goto(`${base}/runs`);
    await page.getByTestId('run-row').first().waitFor();
    await page.goto(`${webUrl}/launch`);
    await page.getByTestId('launch-submit').waitFor();
    // Hydrated: the client-side form reacts (the submit button is a React component).
    expect(await page.getByTestId('launch-submit').isEnabled()).toBe(true);
    await page.goto(`${webUrl}/import`);
    await page.getByLabel('Prediction files', { exact: true }).setInputFiles({
      name: 'teacher.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('# role: teacher\n# seed: 0\nid,label,pred\na,0,0\n'),
    });
    // Hydrated: the browser read the chosen file and listed it.
    await page.getByTestId('import-file').waitFor();
    expect(violations).toEqual([]);
  });

  it('downloads CSV with formula-like class and group names as text, numbers as numbers', async () => {
    const { page } = operator;
    await page.goto(`${webUrl}/experiments/${experimentId}/classes?a=student&b=T4`);
    await expect
      .poll(() => page.getByTestId('class-explorer').getAttribute('data-ready'))
      .toBe('true');
    const [classesCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /Download .*\.csv as CSV/ }).click(),
    ]);
    const rows = parseCsv(await readFile((await classesCsv.path()) ?? '', 'utf8'));
    expect(rows[0]).toEqual([
      'class_index',
      'class',
      'accuracy_a',
      'accuracy_b',
      'delta',
      'p',
      'adjusted_p',
      'significant',
    ]);
    const body = rows.slice(1);
    expect(body.map((r) => r[1]).sort()).toEqual(hostileClasses.map((n) => `'${n}`).sort());
    // Numbers stay numbers: delta is negative for at least one class, and is not prefixed.
    for (const r of body) {
      for (const i of [0, 2, 3, 4]) expect(r[i], r.join(',')).toMatch(numeric);
    }
    expect(body.some((r) => (r[4] ?? '').startsWith('-'))).toBe(true);

    await page.goto(`${webUrl}/experiments/${experimentId}/groups`);
    await page.getByTestId('group-table').first().waitFor();
    const [groupsCsv] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: /Download .*\.csv as CSV/ })
        .first()
        .click(),
    ]);
    const groupRows = parseCsv(await readFile((await groupsCsv.path()) ?? '', 'utf8'));
    expect(
      groupRows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(hostileGroups.map((g) => `'${g}`).sort());
    expect(violations).toEqual([]);
  });

  it('shows nothing of the Launch page in a frame on another loopback port', async () => {
    const { context } = operator;
    // The attacker's page: same host, another port, so the operator's cookie goes along.
    const framer = http.createServer((_, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><iframe id="victim" src="${webUrl}/launch" width="800" height="600"></iframe>`,
        );
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (framer.address() as AddressInfo).port;
      const page = await context.newPage();
      // The frame request itself succeeds (and carries the cookie); the browser must not show it.
      const framed = page.waitForResponse((r) => r.url() === `${webUrl}/launch`);
      await page.goto(`http://127.0.0.1:${port}/`);
      const response = await framed;
      expect(response.status()).toBe(200);
      expect((await response.request().allHeaders()).cookie).toContain('kdlens_token=');
      // Chromium replaces a frame it refuses with its error page.
      const frameUrl = () =>
        page
          .frames()
          .find((f) => f !== page.mainFrame())
          ?.url();
      await expect.poll(frameUrl, { timeout: 10_000 }).toBe('chrome-error://chromewebdata/');
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(await frame?.locator('[data-testid="launch-submit"]').count()).toBe(0);
      expect(await page.frameLocator('#victim').locator('form').count()).toBe(0);
      await page.close();
    } finally {
      await new Promise((resolve) => framer.close(resolve));
    }
  });
});

describe('kdlens report --format csv', () => {
  it('writes formula-like names as text and keeps every number numeric', async () => {
    const result = await runCli(['report', 'report-study', '--format', 'csv'], {
      DATABASE_URL: t.url,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = parseCsv(result.stdout).filter((r) => r.length > 1 || r[0] !== '');
    const title = rows.find((r) => (r[0] ?? '').startsWith('# Group fairness'));
    // One field: the comma in the attribute name does not open a new cell.
    expect(title).toEqual([
      `# Group fairness for '${reportAttribute}' (2 groups; lower is fairer)`,
    ]);
    for (const r of rows) {
      for (const cell of r) {
        if (formulaStart.test(cell)) expect(cell, r.join(',')).toMatch(numeric);
      }
    }
    const arms = rows.filter((r) => ['Teacher', 'NDS', 'KD T=4'].includes(r[0] ?? ''));
    expect(arms.length).toBeGreaterThan(0);
    for (const r of arms) for (const cell of r.slice(1)) expect(cell).toMatch(/^$|^-?[\d.e-]+$/);
  });
});

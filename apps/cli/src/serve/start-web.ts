import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { KdlensError, type Logger } from '@kdlens/core';
import { assertPortFree } from './port-check.ts';

export interface WebServer {
  /** Where the server listens. */
  url: string;
  /** Where people open it: KDLENS_PUBLIC_URL behind a proxy, else `url`. */
  publicUrl: string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The folder of the @kdlens/web workspace. */
export function webAppDir(): string {
  return path.dirname(require.resolve('@kdlens/web/package.json'));
}

/**
 * Serves the built Next.js app (`next start`) in a child process, pointed at the API. The build
 * is turbo's job (`npm run build`, which `npm start` runs first) so that it is cached.
 */
export async function startWeb(opts: {
  /**
   * Listen address (default 127.0.0.1); off loopback the API must not allow anonymous reading
   * (anonymous-read.ts).
   */
  host?: string;
  port: number;
  apiUrl: string;
  /** KDLENS_PUBLIC_URL: printed, and given to the web app (an https one makes its cookie Secure). */
  publicUrl?: string;
  log: Logger;
}): Promise<WebServer> {
  const dir = webAppDir();
  if (!existsSync(path.join(dir, '.next', 'BUILD_ID'))) {
    throw new KdlensError(
      `the web app is not built (${path.join(dir, '.next')} is missing): run \`npm run build\` first`,
    );
  }
  const host = opts.host ?? '127.0.0.1';
  await assertPortFree(host, opts.port, 'KDLENS_WEB_PORT');
  const nextBin = require.resolve('next/dist/bin/next', { paths: [dir] });
  const child = spawn(process.execPath, [nextBin, 'start', '-H', host, '-p', String(opts.port)], {
    cwd: dir,
    env: {
      ...process.env,
      KDLENS_API_URL: opts.apiUrl,
      ...(opts.publicUrl === undefined ? {} : { KDLENS_PUBLIC_URL: opts.publicUrl }),
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 20) output.shift();
      opts.log.debug({ web: line });
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const url = `http://${urlHost(host)}:${opts.port}`;
  // A web app on every interface is asked on loopback whether it is up.
  const probeHost = ['0.0.0.0', '::', '[::]'].includes(host) ? '127.0.0.1' : urlHost(host);
  await waitUntilServing(`http://${probeHost}:${opts.port}`, child, output);
  opts.log.info({ url, publicUrl: opts.publicUrl }, 'web app listening');
  return { url, publicUrl: opts.publicUrl ?? url, stop: () => stopChild(child) };
}

/** An IPv6 address goes in brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

async function waitUntilServing(url: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new KdlensError(
        `the web app exited with code ${child.exitCode}: ${output.slice(-3).join(' | ')}`,
      );
    }
    try {
      const response = await fetch(`${url}/favicon.ico`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  child.kill('SIGTERM');
  throw new KdlensError(`the web app did not answer at ${url} within 60 s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

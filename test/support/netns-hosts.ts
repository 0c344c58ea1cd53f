import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Netns } from './netns.ts';

/** A long-running process on a namespace host, with everything it printed so far. */
export interface HostProcess {
  child: ChildProcess;
  output(): string;
}

/** Starts `argv` on `ns`, collecting its output; resolves once `ready` shows in it. */
export async function startOn(
  ns: Netns,
  argv: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 120_000,
): Promise<HostProcess> {
  const child = ns.spawn(argv, env);
  let output = '';
  const onData = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const deadline = Date.now() + timeoutMs;
  while (!ready.test(output)) {
    if (child.exitCode !== null) throw new Error(`${argv.join(' ')} exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`${argv.join(' ')} not ready: ${output}`);
    await sleep(100);
  }
  return { child, output: () => output };
}

/** Runs `argv` on `ns` to completion; its stdout (throws on a non-zero exit or a timeout). */
export async function runOn(
  ns: Netns,
  argv: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 90_000,
): Promise<string> {
  const child = ns.spawn(argv, env);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${argv.join(' ')} failed (${code}): ${err}`);
  return out;
}

/**
 * The newest installed PostgreSQL's binaries (`/usr/lib/postgresql/<major>/bin`), the version
 * .ci/run picks; 15's path when none is installed (the caller's existence check then skips).
 */
export const PG_BIN = newestPostgresBin('/usr/lib/postgresql');

function newestPostgresBin(root: string): string {
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(path.join(root, v, 'bin', 'postgres')))
        .map(Number)
        .sort((a, b) => a - b)
    : [];
  return path.join(root, String(majors.at(-1) ?? 15), 'bin');
}

/** A PostgreSQL cluster on a namespace host, reachable from its /24 with a password only. */
export interface NamespacePostgres {
  /** The superuser's URL on the host's address (reachable only from the namespaces' LAN). */
  url: string;
  /** Starts the server; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Fast shutdown (SIGINT to runuser and postgres); resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * initdb as `postgres` in `<base>/pgdata` (socket and password file in `<base>/pgsock`): fsync
 * off, scram-sha-256 from `db`'s /24. `base` must be readable by the postgres user; the caller
 * removes it.
 */
export function initNamespacePostgres(db: Netns, base: string): NamespacePostgres {
  chmodSync(base, 0o755);
  const password = randomBytes(12).toString('hex');
  const postgresUid = Number(execFileSync('id', ['-u', 'postgres']));
  const pgdata = path.join(base, 'pgdata');
  const pgsock = path.join(base, 'pgsock');
  for (const dir of [pgdata, pgsock]) {
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, postgresUid, 0);
  }
  const pwfile = path.join(pgsock, 'pw');
  writeFileSync(pwfile, `${password}\n`);
  chownSync(pwfile, postgresUid, 0);
  execFileSync('runuser', [
    ...['-u', 'postgres', '--', path.join(PG_BIN, 'initdb'), '-D', pgdata],
    ...['-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8'],
  ]);
  appendFileSync(
    path.join(pgdata, 'pg_hba.conf'),
    `host all all ${db.address.replace(/\.\d+$/, '.0')}/24 scram-sha-256\n`,
  );
  let server: HostProcess | undefined;
  return {
    url: `postgres://postgres:${password}@${db.address}:5432/postgres`,
    start: async () => {
      server = await startOn(
        db,
        [
          ...['runuser', '-u', 'postgres', '--', path.join(PG_BIN, 'postgres')],
          ...['-D', pgdata, '-p', '5432', '-c', `listen_addresses=${db.address}`],
          ...['-c', `unix_socket_directories=${pgsock}`, '-c', 'fsync=off'],
        ],
        { ...process.env, LC_MESSAGES: 'C' },
        /ready to accept connections/,
      );
    },
    stop: async () => {
      const child = server?.child;
      // No pid: spawn failed, nothing runs (and kill(-0) would signal our own group).
      if (!child || child.exitCode !== null || child.pid === undefined) return;
      // The whole group (runuser and postgres): SIGINT is PostgreSQL's fast shutdown.
      process.kill(-child.pid, 'SIGINT');
      await new Promise((r) => child.once('close', r));
    },
  };
}

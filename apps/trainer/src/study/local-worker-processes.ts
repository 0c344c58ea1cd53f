/**
 * Worker processes on this machine, one training unit each. Processes rather than slots in one
 * process: the wasm and cpu backends compute on the JavaScript thread, so units in one process
 * take turns instead of using another core (apps/trainer/bench/train-worker.ts measures this).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@kdlens/core';

// The trainer's own worker entry point, not the CLI: the library does not call back up into it.
const workerBin = fileURLToPath(new URL('../../bin/kdlens-worker.js', import.meta.url));

export interface LocalWorkerProcesses {
  pids: number[];
  /** Resolves once every process has exited (a crash included). */
  allExited: Promise<void>;
  /**
   * SIGTERM to each: a worker puts its running unit back in the queue and exits. After
   * `graceMs` the ones left are killed.
   */
  stop(graceMs?: number): Promise<void>;
}

export function startLocalWorkerProcesses(opts: {
  count: number;
  /** The warehouse the parent opened: workers join it instead of starting their own server. */
  databaseUrl: string;
  log: Logger;
  /** Environment for the workers on top of this process's (e.g. a quieter LOG_LEVEL). */
  env?: Record<string, string>;
}): LocalWorkerProcesses {
  const children: ChildProcess[] = [];
  const exits: Promise<void>[] = [];
  let stopping: Promise<void> | undefined;
  for (let i = 0; i < opts.count; i++) {
    const child = spawn(process.execPath, [workerBin], {
      env: { ...process.env, ...opts.env, DATABASE_URL: opts.databaseUrl },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    exits.push(
      new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          // Ctrl-C reaches the workers too (one process group), so an interrupt is no news.
          const asked = stopping !== undefined || code === 130 || signal === 'SIGINT';
          if (code !== 0 && !asked) {
            opts.log.warn({ pid: child.pid, code, signal }, 'a local worker process ended');
          }
          resolve();
        });
        child.once('error', (error) => {
          opts.log.error({ err: error }, 'could not start a local worker process');
          resolve();
        });
      }),
    );
  }
  const allExited = Promise.all(exits).then(() => {});
  return {
    pids: children.flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
    allExited,
    stop: (graceMs = 15_000) => {
      stopping ??= (async () => {
        for (const c of children)
          if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
        // The grace timer is cancelled once the workers are gone: left pending, it kept the
        // process alive for the whole grace (15 s at the end of every `kdlens run --local`).
        const grace = new AbortController();
        const done = await Promise.race([
          allExited.then(() => true),
          sleep(graceMs, false, { signal: grace.signal }).catch(() => false),
        ]);
        grace.abort();
        if (!done) {
          for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
          await allExited;
        }
      })();
      return stopping;
    },
  };
}

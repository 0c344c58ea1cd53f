import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ApiServerStats } from '@kdlens/api';
import { cliEnv } from './cli.ts';

const script = fileURLToPath(new URL('./api-server.process.ts', import.meta.url));
// tsx reads the tsconfig of the directory it starts in; the root's compiles decorators.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ApiProcess {
  url: string;
  pid: number;
  /**
   * The server process's memory after a full garbage collection in it, in bytes: resident
   * (VmRSS in /proc/<pid>/status), and what its V8 heap and external buffers hold
   * (process.memoryUsage().heapUsed + external), which, unlike RSS, no allocator retains.
   */
  memory(): Promise<{ rss: number; retained: number }>;
  stats(): Promise<ApiServerStats>;
  stop(): Promise<void>;
}

/** Starts support/api-server.process.ts with `env` added, and resolves once it listens. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
    cwd: repoRoot,
    env: cliEnv({ NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API process not ready: ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^\{"url":"[^"]+"\}$/m.exec(output)?.[0];
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`API process exited with ${code}: ${output}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('API process has no pid');
  return {
    url,
    pid,
    memory: async () => {
      const collected = await ask<{ gc: boolean; memory: NodeJS.MemoryUsage }>(child, 'gc');
      if (!collected.gc) throw new Error('the API process cannot collect garbage (--expose-gc)');
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
      if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
      return {
        rss: Number(kb) * 1024,
        retained: collected.memory.heapUsed + collected.memory.external,
      };
    },
    stats: async () => (await ask<{ stats: ApiServerStats }>(child, 'stats')).stats,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Sends `question` over IPC and resolves with the first answer that has it as a key. */
function ask<T extends object>(child: ChildProcess, question: 'stats' | 'gc'): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (typeof message === 'object' && message !== null && question in message) {
        child.off('message', onMessage);
        resolve(message as T);
      }
    };
    child.on('message', onMessage);
    child.send(question);
  });
}

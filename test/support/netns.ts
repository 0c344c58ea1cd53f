import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Why network-namespace tests cannot run here, or null when they can (root and iproute2). */
export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: creating a network namespace needs root';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'iproute2 (`ip`) is not installed';
  }
  return null;
}

/**
 * A Linux network namespace with only its own loopback interface up and `address` on it: an
 * address that is not loopback (so servers bound to it count as reachable from the network) and
 * that exists nowhere but in the namespace. Nothing outside the namespace is touched.
 */
export interface Netns {
  name: string;
  address: string;
  /** `argv` run inside the namespace (the environment is passed through). */
  spawn(argv: string[], env: NodeJS.ProcessEnv): ReturnType<typeof spawn>;
  remove(): void;
}

export function createNetns(): Netns {
  const suffix = randomBytes(3);
  const name = `kdl-${suffix.toString('hex')}`;
  // 10.213.a.b/32: a private address, random per run so parallel runs do not collide.
  const address = `10.213.${suffix[0] ?? 0}.${1 + ((suffix[1] ?? 0) % 250)}`;
  execFileSync('ip', ['netns', 'add', name]);
  try {
    execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', name, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
  } catch (error) {
    execFileSync('ip', ['netns', 'delete', name]);
    throw error;
  }
  return {
    name,
    address,
    spawn: (argv, env) => spawn('ip', ['netns', 'exec', name, ...argv], { env }),
    remove: () => execFileSync('ip', ['netns', 'delete', name]),
  };
}

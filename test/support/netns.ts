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

/** Hosts on one private network: each a namespace with `eth0` on a bridge in a hub namespace. */
export interface NetnsNetwork {
  hosts: Record<string, Netns>;
  /** Deletes every namespace (their veth pairs go with them); safe to call twice. */
  remove(): void;
}

/**
 * Namespaces named after `hosts`, linked by veth pairs to a bridge in a hub namespace: a small
 * LAN (10.214.x.0/24, x random per run) that exists only inside these namespaces. Each host also
 * has its own loopback. Nothing outside the namespaces is touched.
 */
export function createNetwork(hosts: readonly string[]): NetnsNetwork {
  const suffix = randomBytes(3);
  const tag = suffix.toString('hex');
  const subnet = `10.214.${suffix[0] ?? 0}`;
  const created: string[] = [];
  const remove = () => {
    for (const name of created.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
  };
  const add = (name: string) => {
    execFileSync('ip', ['netns', 'add', name]);
    created.push(name);
    execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  };
  try {
    const hub = `kdl-${tag}-hub`;
    add(hub);
    execFileSync('ip', ['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    execFileSync('ip', ['-n', hub, 'link', 'set', 'br0', 'up']);
    const out: Record<string, Netns> = {};
    hosts.forEach((host, i) => {
      const name = `kdl-${tag}-${host}`;
      add(name);
      const address = `${subnet}.${i + 1}`;
      const port = `p${i}`;
      execFileSync('ip', [
        '-n',
        hub,
        'link',
        'add',
        port,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        name,
      ]);
      execFileSync('ip', ['-n', hub, 'link', 'set', port, 'master', 'br0', 'up']);
      execFileSync('ip', ['-n', name, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      execFileSync('ip', ['-n', name, 'link', 'set', 'eth0', 'up']);
      out[host] = {
        name,
        address,
        spawn: (argv, env) =>
          spawn('ip', ['netns', 'exec', name, ...argv], { env, detached: true }),
        remove: () => execFileSync('ip', ['netns', 'delete', name]),
      };
    });
    return { hosts: out, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/**
 * Kills every process inside the namespace (SIGKILL): a host that loses power. `ip netns pids`
 * lists them by their network namespace, whatever process tree they belong to.
 */
export function killNamespaceProcesses(ns: Netns): number {
  const pids = execFileSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' })
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  return pids.length;
}

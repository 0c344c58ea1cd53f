import net from 'node:net';

/**
 * Whether the address a server is bound to is reachable only from this machine. Checked on the
 * address the socket actually bound, not the configured name, so `localhost` resolving to a
 * public interface (a bad /etc/hosts) cannot open anonymous reading to the network.
 */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (bare === '::1') return true;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1).
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped?.[1]?.startsWith('127.') === true;
}

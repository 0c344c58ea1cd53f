/**
 * Whether an HTTP Host header names this machine by a loopback name: `localhost`, an address in
 * 127.0.0.0/8 or `[::1]`, each with or without a port. Servers that let anyone read without a
 * token (anonymous read, which is only ever on for a loopback listener) answer only such hosts:
 * a page on attacker.example whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) sends
 * `Host: attacker.example`, and must not get the data.
 *
 * Strict on purpose: only the forms a browser sends for a loopback URL. Browsers rewrite
 * `http://0x7f.1/` and `http://127.1/` to `127.0.0.1` before sending, so other spellings come
 * only from hand-made requests. `*.localhost` and a trailing dot are refused: whether they reach
 * this machine depends on the resolver, and nobody needs them to use KDLens. Missing → false.
 *
 * Imported by the web's proxy through `@kdlens/core/loopback-host`: this file imports nothing.
 */
export function isLoopbackHost(host: string | null | undefined): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  const name = match?.[1]?.toLowerCase();
  const port = match?.[2];
  if (name === undefined || (port !== undefined && Number(port) > 65_535)) return false;
  return name === 'localhost' || name === '[::1]' || isLoopbackIpv4(name);
}

/** Dotted decimal 127.a.b.c, each part 0–255 without leading zeros. */
function isLoopbackIpv4(name: string): boolean {
  const parts = name.split('.');
  return (
    parts.length === 4 &&
    parts[0] === '127' &&
    parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)
  );
}

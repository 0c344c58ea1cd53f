import net from 'node:net';
import { KdlensError } from '@kdlens/core';

/** Fails early, in words, when a port we are about to serve on is taken. */
export function assertPortFree(host: string, port: number, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new KdlensError(
              `port ${port} on ${host} is already in use: stop what uses it or set ${envVar}`,
            )
          : new KdlensError(
              `cannot listen on ${host}:${port} (${error.code ?? error.message}): set ${envVar}`,
            ),
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

import type http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '@kdlens/core';
import { type Database, isDatabaseUnavailable } from '@kdlens/core/db';
import { ExportRequestError, prepareExport } from '@kdlens/core/export';
import { foreignHostRefusal } from '../auth/host-gate.ts';
import type { Caller } from '../auth/request-auth.ts';
import { resolveCaller } from '../auth/resolve-caller.ts';
import { seesServerPaths } from '../auth/server-paths.ts';
import { ApiError, databaseUnavailable } from '../errors/api-error.ts';
import { sendError } from '../http/send-error.ts';
import { callerKey } from '../limits/caller-key.ts';
import { type CallerSlots, RateLimitedError, ServerBusyError } from '../limits/caller-slots.ts';
import { RequestTimeoutError, withTimeout } from '../limits/request-timeout.ts';
import type { ExportGate } from './export-gate.ts';
import { contentDisposition, ExportPathError, parseExportUrl } from './export-path.ts';

export interface ExportRouteOptions {
  db: Database;
  log: Logger;
  /** Set once the socket is bound (server.ts): anonymous reads depend on where it listens. */
  access: { anonymousRead: boolean };
  slots: CallerSlots;
  /** Streaming exports at once, per caller and in all (export-gate.ts). */
  exports: ExportGate;
  /** KDLENS_API_TIMEOUT_MS: until the first byte, and then for each stall of a slow reader. */
  timeoutMs: number;
  serverFolders: readonly string[];
}

/** Export errors are never cached: they depend on the caller and on the data. */
function sendExportError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendError(res, status, code, message, { ...headers, 'cache-control': 'no-store' });
}

/**
 * A client that takes longer than this to take one batch (25,000 rows) is cut off: PostgreSQL ends
 * the export's snapshot, which would otherwise hold a pooled connection as long as it trickles.
 */
export const EXPORT_IDLE_MS = 60_000;

/**
 * GET (or HEAD) /export/<experiment>/<table>.<csv|parquet|jsonl>: a table of an experiment's
 * results as a download, streamed from a read snapshot (packages/core/src/export). Access is
 * exactly a GraphQL read's: the Host gate, a bearer token (or the web app's sign-in cookie), or
 * none where anonymous reading is on; the caller's request slots; and run errors without server
 * paths for readers below operator. The request deadline covers everything up to the first byte;
 * after that the export may take as long as it takes, but a client that stops reading for the
 * deadline is disconnected, so a stalled download cannot hold its slot and connection forever.
 */
export async function handleExport(
  o: ExportRouteOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    sendExportError(res, 405, 'BAD_REQUEST', 'exports are read with GET', { allow: 'GET, HEAD' });
    return;
  }
  // The bearer header only: the web's sign-in cookie would be ambient authority any other site
  // could spend by linking here. Browsers download through the web app's own route.
  const { authorization } = req.headers;
  const refusal = foreignHostRefusal(o.access.anonymousRead, req.headers);
  if (refusal !== null) {
    sendExportError(res, 403, 'FORBIDDEN_HOST', refusal);
    return;
  }
  let target: ReturnType<typeof parseExportUrl>;
  try {
    target = parseExportUrl(url);
  } catch (error) {
    if (!(error instanceof ExportPathError)) throw error;
    sendExportError(
      res,
      error.status,
      error.status === 404 ? 'NOT_FOUND' : 'BAD_USER_INPUT',
      error.message,
    );
    return;
  }
  let caller: Caller | null;
  try {
    caller = await resolveCaller(o.db, authorization);
  } catch (error) {
    if (error instanceof ApiError) {
      sendExportError(res, 401, String(error.extensions.code), error.message);
      return;
    }
    throw error;
  }
  if (caller === null && !o.access.anonymousRead) {
    sendExportError(
      res,
      401,
      'UNAUTHENTICATED',
      'reading exports needs an API token (Authorization: Bearer <token>); anonymous reading is off',
    );
    return;
  }
  const auth = { caller, anonymousRead: o.access.anonymousRead };
  const who = callerKey(caller, req.socket.remoteAddress, o.access.anonymousRead);
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const leave = o.exports.enter(who.key);
  if (leave === 'caller') {
    sendExportError(
      res,
      429,
      'RATE_LIMITED',
      'too many exports of yours are streaming; wait for one to finish',
      { 'retry-after': '5' },
    );
    return;
  }
  if (leave === 'server') {
    sendExportError(res, 503, 'SERVER_BUSY', 'the server is streaming as many exports as it may', {
      'retry-after': '5',
    });
    return;
  }
  let release: () => void = () => {};
  try {
    release = await o.slots.acquire(who.key, gone.signal, who.budget);
    const prepared = await withTimeout(o.timeoutMs, () =>
      prepareExport(o.db, target, {
        access: { seesServerPaths: seesServerPaths(auth), serverFolders: o.serverFolders },
        idleTimeoutMs: EXPORT_IDLE_MS,
      }),
    ).catch((error: unknown) => {
      if (error instanceof ExportRequestError) {
        sendExportError(
          res,
          error.kind === 'not-found' ? 404 : 400,
          error.kind === 'not-found' ? 'NOT_FOUND' : 'BAD_USER_INPUT',
          error.message,
        );
        return null;
      }
      throw error;
    });
    if (prepared === null) return;
    // The request slot covers finding the experiment; streaming is the export gate's to limit, so
    // downloads leave the caller's GraphQL slots free.
    release();
    res.writeHead(200, {
      'content-type': prepared.contentType,
      'content-disposition': contentDisposition(prepared.fileName),
      // Answers change as runs finish; the data is per reader (paths), never for shared caches.
      'cache-control': 'private, no-store',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    res.setTimeout(o.timeoutMs, () => {
      o.log.warn({ timeoutMs: o.timeoutMs }, 'export client stopped reading; disconnected');
      res.destroy();
    });
    try {
      // highWaterMark 1: one chunk (one batch) waits for the socket, never a queue of them.
      await pipeline(Readable.from(prepared.body(), { highWaterMark: 1 }), res);
    } catch (error) {
      // A client that hangs up (or stalls past the deadline) ends the pipeline as a premature
      // close: not a server error. Anything else is, and the client sees the download cut off.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        o.log.error({ err: error, table: prepared.request.table }, 'export failed mid-stream');
      }
      res.destroy();
    } finally {
      res.setTimeout(0);
    }
  } finally {
    release();
    leave();
  }
}

/** What the server answers when handleExport throws before its first byte. */
export function sendExportFailure(log: Logger, res: http.ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
  } else if (isDatabaseUnavailable(error)) {
    log.warn('export failed: database unavailable');
    sendExportError(res, 503, 'DATABASE_UNAVAILABLE', databaseUnavailable().message);
  } else if (error instanceof RateLimitedError) {
    sendExportError(res, 429, 'RATE_LIMITED', error.message, {
      'retry-after': String(error.retryAfterSeconds),
    });
  } else if (error instanceof ServerBusyError) {
    log.warn({ maxRunning: error.maxRunning }, 'export refused: server busy');
    sendExportError(res, 503, 'SERVER_BUSY', error.message, {
      'retry-after': String(error.retryAfterSeconds),
    });
  } else if (error instanceof RequestTimeoutError) {
    log.warn({ timeoutMs: error.timeoutMs }, 'export timed out before its first byte');
    sendExportError(res, 503, 'TIMEOUT', error.message);
  } else {
    log.error({ err: error }, 'export failed');
    sendExportError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal server error');
  }
}

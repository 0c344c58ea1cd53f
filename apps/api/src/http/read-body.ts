import type { IncomingMessage } from 'node:http';
import { findExcessNesting } from '@kdlens/core';

export class BodyTooLargeError extends Error {}
/** JSON nested deeper than MAX_BODY_NESTING: answered 400 before it is parsed. */
export class BodyTooDeepError extends Error {}

/**
 * A request nests 3 levels (body, variables, a variable) above its values, and a spec 4 more.
 * JSON.parse copes with any depth, but what walks the value afterwards (JSON.stringify of a
 * spec, the cache key) recurses, and 1 MB of `[` is 1,000,000 levels.
 */
export const MAX_BODY_NESTING = 64;

/** Reads a request body up to `limit` bytes; JSON bodies are parsed, others left as text. */
export async function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new BodyTooLargeError(`request body over ${limit} bytes`);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('application/json')) return text;
  const tooDeep = findExcessNesting(text, MAX_BODY_NESTING, 'json');
  if (tooDeep !== null) {
    throw new BodyTooDeepError(
      `request body nests JSON deeper than ${MAX_BODY_NESTING} levels (at character ${tooDeep.offset + 1})`,
    );
  }
  return JSON.parse(text);
}

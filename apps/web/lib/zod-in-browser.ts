import { z } from 'zod';

/**
 * In the browser, zod parses without compiling validators through `new Function`. Its first
 * parse otherwise probes whether eval is allowed, which the page's CSP (lib/security-headers.ts)
 * forbids: the probe fails quietly but reports a CSP violation on every page that parses. On
 * the server the compiled validators stay (the 1000-class tables parse there).
 */
if (typeof window !== 'undefined') z.config({ jitless: true });

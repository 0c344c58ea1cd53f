/**
 * Sent on every API response. The API answers JSON (and Apollo's landing page on a browser GET),
 * so: never sniff a JSON body as HTML, never show in a frame (clickjacking the landing page), and
 * leak no URL through Referer. No script-src here: the landing page loads Apollo's own scripts.
 */
export const apiSecurityHeaders: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

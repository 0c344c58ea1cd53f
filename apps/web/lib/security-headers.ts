/**
 * The Content-Security-Policy of every web response. Scripts run only with this response's nonce
 * (Next.js reads it from the request's CSP header and puts it on its own scripts), and what they
 * load ('strict-dynamic'): an injected <script> or onclick= does not run. Styles may be inline:
 * React writes style="" attributes and Observable Plot puts a <style> in each chart, and a nonce
 * in style-src would switch 'unsafe-inline' off. img-src has data: and blob: for the PNG export.
 * frame-ancestors 'none' keeps the Launch form out of other sites' frames (clickjacking).
 */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    // React's development build reconstructs server stacks with eval; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The other security headers, the same on every response. */
export const securityHeaders: Readonly<Record<string, string>> = {
  // For browsers that predate frame-ancestors.
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Experiment ids in URLs stay on the site.
  'Referrer-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

import type { NextConfig } from 'next';

/**
 * Host (name:port) of KDLENS_PUBLIC_URL. Behind a reverse proxy that does not pass the Host it
 * was asked for, server actions (sign-in, launch) see an Origin naming the public address and a
 * Host naming this server, and Next.js refuses them as cross-site; that one origin is allowed.
 * Read when `next start` starts (the CLI passes the variable), not baked into the build.
 */
function publicHost(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).host];
  } catch {
    return [];
  }
}

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  experimental: {
    serverActions: { allowedOrigins: publicHost(process.env.KDLENS_PUBLIC_URL) },
  },
};

export default config;

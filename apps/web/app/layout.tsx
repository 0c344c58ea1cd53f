import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { canOperate, loadViewer } from '@/lib/viewer.ts';
import { signOut } from './sign-in/actions.ts';
import './globals.css';

export const metadata: Metadata = {
  title: 'KDLens',
  description: 'What did distillation cost us, and for whom?',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

/** Who is signed in, and the way in or out. */
async function SessionControls() {
  const viewer = await loadViewer();
  if (viewer.anonymous) {
    return (
      <a href="/sign-in" className="session">
        Sign in
      </a>
    );
  }
  return (
    <form action={signOut} className="session">
      <span data-testid="viewer-role">
        {viewer.name ?? 'token'} · {viewer.role}
      </span>{' '}
      <button type="submit" className="link-button">
        Sign out
      </button>
    </form>
  );
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const viewer = await loadViewer();
  return (
    <html lang="en">
      <body>
        <a href="#content" className="skip-link">
          Skip to content
        </a>
        <header className="topbar">
          <a href="/" className="brand">
            KDLens
          </a>
          <nav aria-label="Main" className="main-nav">
            <a href="/experiments">Experiments</a>
            <a href="/compare">Compare</a>
            {canOperate(viewer) && <a href="/launch">Launch</a>}
            {canOperate(viewer) && <a href="/import">Import</a>}
          </nav>
          <SessionControls />
        </header>
        <main id="content">{children}</main>
      </body>
    </html>
  );
}

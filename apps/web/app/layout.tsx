import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'KDLens',
  description: 'What did distillation cost us, and for whom?',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <a href="/" className="brand">
            KDLens
          </a>
          <span className="tagline">what did distillation cost us, and for whom?</span>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

import type { ReactNode } from 'react';

/** What an empty list or a missing result means, and what to do about it. */
export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <div className="empty" data-testid="empty-state">
      {children}
    </div>
  );
}

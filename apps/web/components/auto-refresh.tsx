'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * Re-renders the server page every 2 s while runs are queued or training: the API's documented
 * way to follow live progress is polling, and a server refresh keeps the token on the server.
 */
export function AutoRefresh({
  active,
  intervalMs = 2000,
}: {
  active: boolean;
  intervalMs?: number;
}) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      // A hidden tab does not need fresh numbers; it refreshes when shown again.
      if (document.visibilityState === 'visible') router.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, router]);
  return active ? (
    <p className="live-note" aria-live="polite">
      Live: updating every {Math.round(intervalMs / 1000)} s.
    </p>
  ) : null;
}

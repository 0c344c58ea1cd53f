/** Shown while a page's data is on its way (Next.js streams it in place of the page). */
export function LoadingNote({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite" data-testid="loading">
      Loading {what}…
    </p>
  );
}

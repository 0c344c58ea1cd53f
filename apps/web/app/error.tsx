'use client';

/**
 * Failures that are not the API's answers (those are shown in words on each page): in
 * production Next.js hides the message, so say what to do and offer a retry.
 */
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="error" role="alert">
      <p>
        This page failed to render
        {error.digest ? ` (reference ${error.digest} in the web server's log)` : ''}.
      </p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}

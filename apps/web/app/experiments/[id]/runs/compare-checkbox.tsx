'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useOptimistic, useTransition } from 'react';
import {
  COMPARE_PARAM,
  MAX_COMPARED_RUNS,
  parseRunSelection,
  selectionParam,
  toggleRun,
} from '@/lib/run-selection.ts';

/**
 * Ticks a run for the learning-curve comparison. The selection is the URL's `compare` value, so
 * ticking replaces the URL (without scrolling) and the server page draws the curves it names.
 */
export function CompareCheckbox({ runId, label }: { runId: string; label: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [pending, startTransition] = useTransition();
  const selection = parseRunSelection(search.get(COMPARE_PARAM) ?? undefined);
  // Ticked at once, while the new URL's page is on its way.
  const [checked, setChecked] = useOptimistic(selection.includes(runId));
  const full = !checked && selection.length >= MAX_COMPARED_RUNS;
  return (
    <input
      type="checkbox"
      className="compare-check"
      data-testid="compare-run"
      checked={checked}
      disabled={full}
      data-pending={pending ? 'true' : undefined}
      title={full ? `At most ${MAX_COMPARED_RUNS} runs at once` : undefined}
      aria-label={`Compare ${label}`}
      onChange={(event) => {
        const on = event.target.checked;
        const next = new URLSearchParams(search.toString());
        const value = selectionParam(toggleRun(selection, runId, on));
        if (value === undefined) next.delete(COMPARE_PARAM);
        else next.set(COMPARE_PARAM, value);
        const query = next.toString();
        startTransition(() => {
          setChecked(on);
          router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
        });
      }}
    />
  );
}

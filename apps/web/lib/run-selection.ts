/**
 * The runs ticked for comparison on the Runs tab, kept in the URL (`?compare=id,id`) so a link
 * shows the same curves. Parsed like any client input: only UUIDs, each once, at most
 * MAX_COMPARED_RUNS (the API's cap on `runs(ids:)`).
 */
export const COMPARE_PARAM = 'compare';
export const MAX_COMPARED_RUNS = 24;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The selection a `compare` value names, in its order; anything else in it is dropped. */
export function parseRunSelection(text: string | undefined): string[] {
  const ids: string[] = [];
  // A value longer than the cap's worth of ids is cut before it is split.
  const bounded = (text ?? '').slice(0, MAX_COMPARED_RUNS * 37);
  for (const part of bounded.split(',')) {
    const id = part.trim().toLowerCase();
    if (uuid.test(id) && !ids.includes(id)) ids.push(id);
    if (ids.length === MAX_COMPARED_RUNS) break;
  }
  return ids;
}

/** The selection with `id` ticked or unticked; ticking past the cap changes nothing. */
export function toggleRun(selection: readonly string[], id: string, on: boolean): string[] {
  if (!on) return selection.filter((s) => s !== id);
  if (selection.includes(id) || selection.length >= MAX_COMPARED_RUNS) return [...selection];
  return [...selection, id];
}

/** The `compare` value for a selection; undefined when nothing is ticked. */
export function selectionParam(selection: readonly string[]): string | undefined {
  return selection.length === 0 ? undefined : selection.join(',');
}

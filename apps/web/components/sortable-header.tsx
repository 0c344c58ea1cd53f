import Link from 'next/link';

export type SortDirection = 'asc' | 'desc';

/**
 * A column header that sorts its table: a button when the table sorts itself on the client
 * (`onSort`), a link when the sort lives in the URL and the server sorts (`href`). aria-sort
 * tells assistive technology which column sorts and how; the arrow is for the eye only.
 */
export function SortableHeader({
  label,
  direction,
  numeric = false,
  testId,
  ...target
}: {
  label: string;
  /** The direction this column sorts in, or undefined when another column sorts. */
  direction: SortDirection | undefined;
  numeric?: boolean;
  testId?: string;
} & ({ onSort: () => void; href?: never } | { href: string; onSort?: never })) {
  const arrow = direction === undefined ? '' : direction === 'asc' ? ' ▲' : ' ▼';
  const content = (
    <>
      {label}
      <span aria-hidden="true">{arrow}</span>
    </>
  );
  return (
    <th
      scope="col"
      className={numeric ? 'num' : undefined}
      aria-sort={
        direction === undefined ? 'none' : direction === 'asc' ? 'ascending' : 'descending'
      }
    >
      {target.href !== undefined ? (
        <Link className="sort" href={target.href} data-testid={testId}>
          {content}
        </Link>
      ) : (
        <button type="button" className="sort" onClick={target.onSort} data-testid={testId}>
          {content}
        </button>
      )}
    </th>
  );
}

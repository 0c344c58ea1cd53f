import type { ReactNode } from 'react';

/** A section title with its export buttons on the same line. */
export function SectionHeading({
  id,
  title,
  actions,
}: {
  id: string;
  title: string;
  actions?: ReactNode;
}) {
  return (
    <div className="section-heading">
      <h2 id={id}>{title}</h2>
      {actions && <div className="export-bar">{actions}</div>}
    </div>
  );
}

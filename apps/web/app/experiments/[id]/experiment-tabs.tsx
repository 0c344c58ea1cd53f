'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

/** Overview · Classes · Groups · Class × group · Disagreement · Runs, with the current one marked for screen readers too. */
export function ExperimentTabs({ id }: { id: string }) {
  const pathname = usePathname();
  const base = `/experiments/${id}`;
  const tabs = [
    { href: base, label: 'Overview' },
    { href: `${base}/classes`, label: 'Classes' },
    { href: `${base}/groups`, label: 'Groups' },
    { href: `${base}/class-groups`, label: 'Class × group' },
    { href: `${base}/disagreement`, label: 'Disagreement' },
    { href: `${base}/runs`, label: 'Runs' },
  ];
  return (
    <nav aria-label="Experiment" className="tabs">
      {tabs.map((tab) => {
        const current = tab.href === base ? pathname === base : pathname.startsWith(tab.href);
        return (
          <Link key={tab.href} href={tab.href} aria-current={current ? 'page' : undefined}>
            {tab.label}
          </Link>
        );
      })}
    </nav>
  );
}

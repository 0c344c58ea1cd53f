import Link from 'next/link';
import { hrefWith } from '@/lib/search-params.ts';

/** An experiment's tags as chips, each a link to the experiments list filtered by it. */
export function TagChips({ tags, label }: { tags: readonly string[]; label: string }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tag-chips" aria-label={label}>
      {tags.map((tag) => (
        <li key={tag}>
          <Link
            className="tag-chip"
            href={hrefWith('/experiments', { tag })}
            data-testid="tag-chip"
          >
            {tag}
          </Link>
        </li>
      ))}
    </ul>
  );
}

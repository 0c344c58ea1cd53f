import Link from 'next/link';
import type { Viewer } from '@/lib/viewer.ts';

/**
 * What an operator-only page shows anyone else: why (signed out, or which role the token has) and
 * a sign-in link back to the page.
 */
export function OperatorOnlyNotice(props: {
  viewer: Viewer;
  /** The action in -ing form, capitalised: "Launching", "Importing". */
  doing: string;
  /** The page to come back to after signing in, e.g. "/launch". */
  path: string;
  testId: string;
}) {
  const { viewer, doing } = props;
  return (
    <div className="notice" data-testid={props.testId}>
      <p>
        {viewer.anonymous
          ? `${doing} needs an operator token.`
          : `Your token is a ${viewer.role} token; ${doing.toLowerCase()} needs an operator token.`}{' '}
        <Link href={`/sign-in?next=${props.path}`}>Sign in</Link> with one.
      </p>
    </div>
  );
}

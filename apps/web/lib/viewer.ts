import { cache } from 'react';
import { request } from './graphql.ts';
import { graphql, type ResultOf } from './graphql-document.ts';

/** Who the API takes a token's holder to be; sign-in checks a pasted token with it too. */
export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      role
      anonymous
      name
      canRead
    }
  }
`);
export type Viewer = ResultOf<typeof ViewerQuery>['viewer'];

const anonymous: Viewer = { role: null, anonymous: true, name: null, canRead: false };

/**
 * Who the cookie's token belongs to, once per request (the layout and the page both ask).
 * An unreachable API or a bad token reads as signed out; the page's own request then shows why.
 */
export const loadViewer = cache(async (): Promise<Viewer> => {
  try {
    return (await request(ViewerQuery, {})).viewer;
  } catch {
    return anonymous;
  }
});

/** Operators and admins launch and cancel; viewers only read. */
export function canOperate(viewer: Viewer): boolean {
  return viewer.role === 'operator' || viewer.role === 'admin';
}

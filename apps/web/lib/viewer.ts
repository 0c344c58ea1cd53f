import { cache } from 'react';
import { z } from 'zod';
import { graphql } from './graphql.ts';
import { type Viewer, viewerSchema } from './schemas.ts';

const anonymous: Viewer = { role: null, anonymous: true, name: null, canRead: false };

/**
 * Who the cookie's token belongs to, once per request (the layout and the page both ask).
 * An unreachable API or a bad token reads as signed out; the page's own request then shows why.
 */
export const loadViewer = cache(async (): Promise<Viewer> => {
  try {
    const data = await graphql(
      '{ viewer { role anonymous name canRead } }',
      {},
      z.object({ viewer: viewerSchema }),
    );
    return data.viewer;
  } catch {
    return anonymous;
  }
});

/** Operators and admins launch and cancel; viewers only read. */
export function canOperate(viewer: Viewer): boolean {
  return viewer.role === 'operator' || viewer.role === 'admin';
}

import { ApiError, request } from './graphql.ts';
import { graphql } from './graphql-document.ts';

const ViewerAccessQuery = graphql(`
  query ViewerAccess {
    viewer {
      anonymous
      canRead
    }
  }
`);

/**
 * Why a request to a non-loopback Host is refused, or null to serve it. The web app reads from
 * the API server-side, where the API sees a loopback Host, so the API's own Host check cannot see
 * a DNS-rebound page (attacker.example re-pointed at 127.0.0.1): this web app must. It asks the
 * API, with the request's token exactly as pages would send it, whether that caller would read
 * anonymously; only then is the Host's name what stands between an attacker and the data.
 *
 * Served: a token the API knows, anonymous reading off, or a token the API rejects (the pages
 * then read nothing either). Refused: anonymous readers, and any doubt (API unreachable).
 */
export async function foreignHostRefusal(token: string | null): Promise<string | null> {
  try {
    const { viewer } = await request(ViewerAccessQuery, {}, { token });
    return viewer.anonymous && viewer.canRead ? refusal : null;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') return null;
    return `${refusal} (the KDLens API could not confirm that anonymous reading is off)`;
  }
}

const refusal =
  'Forbidden: anonymous reading is on, for this machine only. Open the web app at http://127.0.0.1:<port> or http://localhost:<port>, or sign in there with an API token.';

import type { ApiTokenRole } from '@kdlens/core';

/** The holder of the bearer token a request carried. */
export interface Caller {
  tokenId: string;
  name: string;
  role: ApiTokenRole;
}

/** Who is asking, resolved once per request before any resolver runs. */
export interface RequestAuth {
  /** null when the request carried no token. */
  caller: Caller | null;
  /** Whether a request without a token may read (loopback listener and the env flag). */
  anonymousRead: boolean;
}

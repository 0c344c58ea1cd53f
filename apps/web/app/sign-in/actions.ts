'use server';

import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { secureCookie } from '@/lib/api.ts';
import { ApiError, request } from '@/lib/graphql.ts';
import { TOKEN_COOKIE } from '@/lib/token-cookie.ts';
import { type Viewer, ViewerQuery } from '@/lib/viewer.ts';

export interface SignInState {
  error: string | null;
}

/** Only same-site paths: a sign-in link must not bounce the user to another site. */
function safeNext(value: FormDataEntryValue | null): string {
  const text = typeof value === 'string' ? value : '';
  // Browsers read `/\evil.example` like `//evil.example`; resolving against a dummy origin
  // catches every spelling that leaves the site.
  if (!text.startsWith('/')) return '/experiments';
  try {
    return new URL(text, 'http://kdlens.invalid').origin === 'http://kdlens.invalid' &&
      !text.includes('\\')
      ? text
      : '/experiments';
  } catch {
    return '/experiments';
  }
}

/**
 * Checks the token with the API (`viewer`) before keeping it, so a typo is reported here and
 * not as a confusing error on the next page. The cookie is httpOnly: page scripts never see it.
 */
export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const token = String(form.get('token') ?? '').trim();
  if (token === '') return { error: 'Paste your API token.' };
  let viewer: Viewer;
  try {
    viewer = (await request(ViewerQuery, {}, { token })).viewer;
  } catch (error) {
    if (error instanceof ApiError) {
      return {
        error:
          error.code === 'UNAUTHENTICATED'
            ? 'The API does not know this token (or it was revoked).'
            : error.message,
      };
    }
    throw error;
  }
  if (viewer.anonymous || viewer.role === null) {
    return { error: 'The API does not know this token (or it was revoked).' };
  }
  const jar = await cookies();
  jar.set(TOKEN_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookie,
    path: '/',
    maxAge: 60 * 60 * 24 * 30,
  });
  redirect(safeNext(form.get('next')));
}

export async function signOut(): Promise<void> {
  const jar = await cookies();
  jar.delete(TOKEN_COOKIE);
  redirect('/sign-in');
}

import { loadViewer } from '@/lib/viewer.ts';
import { signOut } from './actions.ts';
import { SignInForm } from './sign-in-form.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in · KDLens' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const next = typeof params.next === 'string' ? params.next : '/experiments';
  const viewer = await loadViewer();
  return (
    <>
      <h1>Sign in</h1>
      {!viewer.anonymous && (
        <div className="notice">
          <p>
            Signed in as <strong>{viewer.name ?? 'unnamed token'}</strong> ({viewer.role}).
          </p>
          <form action={signOut}>
            <button type="submit">Sign out</button>
          </form>
        </div>
      )}
      <SignInForm next={next} />
    </>
  );
}

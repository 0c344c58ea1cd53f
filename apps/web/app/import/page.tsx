import { OperatorOnlyNotice } from '@/components/operator-only-notice.tsx';
import { IMPORT_BODY_LIMIT_BYTES } from '@/lib/import-limit.ts';
import { canOperate, loadViewer } from '@/lib/viewer.ts';
import { ImportForm } from './import-form.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Import · KDLens' };

export default async function ImportPage() {
  const viewer = await loadViewer();
  if (!canOperate(viewer)) {
    return (
      <>
        <h1>Import predictions</h1>
        <OperatorOnlyNotice
          viewer={viewer}
          doing="Importing"
          path="/import"
          testId="import-forbidden"
        />
      </>
    );
  }
  return (
    <>
      <h1>Import predictions</h1>
      <p className="hint">
        One file per run on the same test set, as <code>kdlens import</code> reads them: CSV (
        <code># role: …</code> header lines, then <code>id,label,pred</code>, optional{' '}
        <code>prob_k</code> and <code>attr_name</code> columns) or JSON Lines. Every file is checked
        before anything is written; problems come back as <code>file:line:column</code>. One import
        sends at most {IMPORT_BODY_LIMIT_BYTES / (1024 * 1024)} MiB; use{' '}
        <code>npx kdlens import</code> for larger studies.
      </p>
      <ImportForm />
    </>
  );
}

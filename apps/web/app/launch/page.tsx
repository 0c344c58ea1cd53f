import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { OperatorOnlyNotice } from '@/components/operator-only-notice.tsx';
import { attempt } from '@/lib/graphql.ts';
import { loadSpecSources } from '@/lib/presets.ts';
import { canOperate, loadViewer } from '@/lib/viewer.ts';
import { LaunchForm, type PresetChoice } from './launch-form.tsx';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Launch · KDLens' };

export default async function LaunchPage() {
  const viewer = await loadViewer();
  if (!canOperate(viewer)) {
    return (
      <>
        <h1>Launch an experiment</h1>
        <OperatorOnlyNotice
          viewer={viewer}
          doing="Launching"
          path="/launch"
          testId="launch-forbidden"
        />
      </>
    );
  }
  const result = await attempt(loadSpecSources);
  if (!result.ok) {
    return (
      <>
        <h1>Launch an experiment</h1>
        <ApiErrorNotice error={result.error} what="the presets" />
      </>
    );
  }
  const presets: PresetChoice[] = result.value.map(({ key, name, description, spec }) => ({
    key,
    name,
    description,
    dataset: spec.dataset.name,
    teacherArchitecture: spec.teacher.architecture,
    studentArchitecture: spec.student.architecture,
    temperatures: spec.kd.temperatures,
    seeds: typeof spec.seeds === 'number' ? spec.seeds : spec.seeds.length,
    teacherEpochs: spec.teacher.epochs,
    studentEpochs: spec.student.epochs,
  }));
  return (
    <>
      <h1>Launch an experiment</h1>
      <p className="hint">
        Start from a preset or from an earlier experiment's spec and change what you need; the rest
        of the spec (optimiser, schedule, evaluation) comes from what you start from. After launch
        you follow its runs live.
      </p>
      <LaunchForm
        presets={presets}
        datasets={[...new Set(presets.map((p) => p.dataset))].sort()}
        architectures={[
          ...new Set(presets.flatMap((p) => [p.teacherArchitecture, p.studentArchitecture])),
        ].sort()}
      />
    </>
  );
}

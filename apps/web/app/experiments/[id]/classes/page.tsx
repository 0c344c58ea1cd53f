import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { type ArmKey, armInput, armParam, parseArmParam, sameArm } from '@/lib/arms.ts';
import { ClassComparisonRowFields } from '@/lib/class-comparison-row.ts';
import { correctionLabels, corrections, isCorrection } from '@/lib/corrections.ts';
import { loadExperimentHeader } from '@/lib/experiment.ts';
import { attempt, request } from '@/lib/graphql.ts';
import { type Correction, graphql } from '@/lib/graphql-document.ts';
import { param, type SearchParams } from '@/lib/search-params.ts';
import { ClassExplorer } from './class-explorer.tsx';

export const dynamic = 'force-dynamic';

const ClassComparisonQuery = graphql(
  `
    query ClassComparison($id: ID!, $a: ArmInput!, $b: ArmInput!, $correction: Correction) {
      classComparison(experimentId: $id, a: $a, b: $b, correction: $correction) {
        alpha
        significantCount
        testedCount
        significantFraction
        a {
          label
        }
        b {
          label
        }
        rows {
          ...ClassComparisonRowFields
        }
      }
    }
  `,
  [ClassComparisonRowFields],
);

/** A and B default to the paper's SC comparison: NDS against the first distilled student. */
function defaultArms(arms: readonly ArmKey[]): { a: ArmKey | undefined; b: ArmKey | undefined } {
  const nds = arms.find((x) => x.role === 'student');
  const teacher = arms.find((x) => x.role === 'teacher');
  const distilled = arms.find((x) => x.role === 'distilled');
  const a = nds ?? teacher ?? arms[0];
  const b = distilled ?? arms.find((x) => a && !sameArm(x, a));
  return { a, b };
}

/** Two arm selects and the correction; a GET form, so the comparison lives in the URL. */
function ArmPicker({
  arms,
  a,
  b,
  correction,
}: {
  arms: { key: ArmKey; label: string }[];
  a: ArmKey;
  b: ArmKey;
  correction: Correction;
}) {
  return (
    <form method="get" className="filters" aria-label="Arms to compare">
      <label>
        Arm A
        <select name="a" defaultValue={armParam(a)}>
          {arms.map((arm) => (
            <option key={armParam(arm.key)} value={armParam(arm.key)}>
              {arm.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Arm B
        <select name="b" defaultValue={armParam(b)}>
          {arms.map((arm) => (
            <option key={armParam(arm.key)} value={armParam(arm.key)}>
              {arm.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Correction
        <select name="correction" defaultValue={correction}>
          {corrections.map((c) => (
            <option key={c} value={c}>
              {correctionLabels[c]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Compare</button>
    </form>
  );
}

export default async function ClassesPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { id } = await params;
  const query = await searchParams;
  const header = await loadExperimentHeader(id);
  if (!header.ok || !header.value) return null;
  const experiment = header.value;
  const arms = experiment.arms.map((arm) => ({
    key: { role: arm.role, temperature: arm.temperature },
    label: arm.label,
  }));
  const defaults = defaultArms(arms.map((x) => x.key));
  const a = parseArmParam(param(query, 'a')) ?? defaults.a;
  const b = parseArmParam(param(query, 'b')) ?? defaults.b;
  const correctionText = param(query, 'correction');
  const correction: Correction = isCorrection(correctionText) ? correctionText : 'holm';
  if (!a || !b || arms.length < 2) {
    return (
      <EmptyState>
        <p>Comparing classes needs two arms with results; this study has {arms.length}.</p>
      </EmptyState>
    );
  }
  const result = await attempt(() =>
    request(ClassComparisonQuery, { id, a: armInput(a), b: armInput(b), correction }),
  );
  return (
    <>
      <h2 className="visually-hidden">Classes</h2>
      <ArmPicker arms={arms} a={a} b={b} correction={correction} />
      {!result.ok ? (
        <ApiErrorNotice error={result.error} what="the class comparison" />
      ) : (
        <ClassExplorer
          rows={result.value.classComparison.rows}
          labelA={result.value.classComparison.a.label}
          labelB={result.value.classComparison.b.label}
          alpha={result.value.classComparison.alpha}
          significantCount={result.value.classComparison.significantCount}
          testedCount={result.value.classComparison.testedCount}
          correctionLabel={correctionLabels[correction]}
          fileStem={`${experiment.name}-${armParam(a)}-vs-${armParam(b)}`}
        />
      )}
    </>
  );
}

import Link from 'next/link';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { correctionLabels, corrections, isCorrection } from '@/lib/corrections.ts';
import { loadExperimentHeader } from '@/lib/experiment.ts';
import { attempt, request } from '@/lib/graphql.ts';
import { type Correction, graphql } from '@/lib/graphql-document.ts';
import { loadGroupFairness } from '@/lib/group-fairness.ts';
import { hrefWith, param, type SearchParams } from '@/lib/search-params.ts';
import { AccuracyByArm } from './overview/accuracy-by-arm.tsx';
import { GroupFairnessTrend } from './overview/group-fairness-trend.tsx';
import {
  IndividualFairnessFields,
  IndividualFairnessTrend,
} from './overview/individual-fairness-trend.tsx';
import {
  SignificanceSweep,
  TemperatureSignificanceFields,
} from './overview/significance-sweep.tsx';

export const dynamic = 'force-dynamic';

const OverviewQuery = graphql(
  `
    query Overview($id: ID!, $correction: Correction) {
      significanceSweep(experimentId: $id, correction: $correction) {
        correction
        alpha
        rows {
          ...TemperatureSignificanceFields
        }
      }
      individualFairness(experimentId: $id) {
        ...IndividualFairnessFields
      }
    }
  `,
  [TemperatureSignificanceFields, IndividualFairnessFields],
);

/** Links that switch the multiple-testing correction, keeping it in the URL. */
function CorrectionPicker({ id, current }: { id: string; current: Correction }) {
  return (
    <nav aria-label="Multiple-testing correction" className="segmented">
      {corrections.map((c) => (
        <Link
          key={c}
          href={hrefWith(`/experiments/${id}`, { correction: c === 'holm' ? undefined : c })}
          aria-current={c === current ? 'true' : undefined}
          scroll={false}
        >
          {correctionLabels[c]}
        </Link>
      ))}
    </nav>
  );
}

export default async function OverviewPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { id } = await params;
  const query = await searchParams;
  const correctionText = param(query, 'correction');
  const correction: Correction = isCorrection(correctionText) ? correctionText : 'holm';
  const header = await loadExperimentHeader(id);
  // The layout shows the error or the 404; nothing more to say here.
  if (!header.ok || !header.value) return null;
  const experiment = header.value;
  if (experiment.arms.length === 0) {
    return (
      <EmptyState>
        <p>
          No results yet: the study summary appears when runs finish. Follow them on the{' '}
          <Link href={`/experiments/${id}/runs`}>Runs</Link> tab.
        </p>
      </EmptyState>
    );
  }
  const [overview, ...groups] = await Promise.all([
    attempt(() => request(OverviewQuery, { id, correction })),
    ...experiment.sensitiveAttributes.map((attribute) =>
      attempt(() => loadGroupFairness(id, attribute)),
    ),
  ]);
  return (
    <>
      <AccuracyByArm arms={experiment.arms} experimentName={experiment.name} />
      {!overview.ok ? (
        <ApiErrorNotice error={overview.error} what="the class-bias and fairness summary" />
      ) : (
        <>
          <SignificanceSweep
            rows={overview.value.significanceSweep.rows}
            correction={overview.value.significanceSweep.correction}
            alpha={overview.value.significanceSweep.alpha}
            picker={<CorrectionPicker id={id} current={correction} />}
            correctionLabel={correctionLabels[overview.value.significanceSweep.correction]}
            experimentName={experiment.name}
          />
          <section aria-labelledby="group-fairness">
            <h2 id="group-fairness">Group fairness against temperature</h2>
            {experiment.sensitiveAttributes.length === 0 && (
              <EmptyState>
                <p>This study names no sensitive attribute, so it has no group fairness.</p>
              </EmptyState>
            )}
            {groups.map((result, i) =>
              result.ok ? (
                <GroupFairnessTrend
                  key={result.value.attribute}
                  fairness={result.value}
                  experimentId={id}
                  experimentName={experiment.name}
                />
              ) : (
                <ApiErrorNotice
                  key={experiment.sensitiveAttributes[i]}
                  error={result.error}
                  what={`group fairness by ${experiment.sensitiveAttributes[i]}`}
                />
              ),
            )}
          </section>
          <IndividualFairnessTrend
            fairness={overview.value.individualFairness}
            experimentName={experiment.name}
          />
        </>
      )}
    </>
  );
}

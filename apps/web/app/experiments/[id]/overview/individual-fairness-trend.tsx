import { TemperatureTrendChart } from '@/charts/temperature-trend-chart.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { SectionHeading } from '@/components/section-heading.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { ArmFields } from '@/lib/arm-fields.ts';
import { type Estimate, EstimateFields } from '@/lib/estimate-fields.ts';
import { decimal } from '@/lib/format.ts';
import { graphql, type ResultOf } from '@/lib/graphql-document.ts';
import { trendOf } from '@/lib/trend.ts';

/** What this section reads of the API's individualFairness (the overview's query spreads it). */
export const IndividualFairnessFields = graphql(
  `
    fragment IndividualFairnessFields on IndividualFairness {
      available
      reason
      arms {
        arm {
          ...ArmFields
        }
        lipschitz {
          ...EstimateFields
        }
        consistency {
          ...EstimateFields
        }
      }
    }
  `,
  [ArmFields, EstimateFields],
);
type IndividualFairness = ResultOf<typeof IndividualFairnessFields>;

function meanSd(e: Estimate | null): string {
  if (e?.mean === null || e?.mean === undefined) return '–';
  return e.sd === null ? decimal(e.mean) : `${decimal(e.mean)} ± ${decimal(e.sd)}`;
}

/**
 * The paper's Table 4: the Lipschitz ratio ‖f(x) − f(x′)‖₁ / d(x, x′) (lower is fairer) and the
 * kNN consistency score (higher is fairer) of each arm, against temperature.
 */
export function IndividualFairnessTrend({
  fairness,
  experimentName,
}: {
  fairness: IndividualFairness;
  experimentName: string;
}) {
  const lipschitz = trendOf(fairness.arms.map((a) => ({ arm: a.arm, estimate: a.lipschitz })));
  const consistency = trendOf(fairness.arms.map((a) => ({ arm: a.arm, estimate: a.consistency })));
  return (
    <section aria-labelledby="individual-fairness">
      <SectionHeading
        id="individual-fairness"
        title="Individual fairness against temperature"
        actions={
          fairness.available ? (
            <CsvButton
              fileName={`${experimentName}-individual-fairness.csv`}
              header={[
                'arm',
                'role',
                'temperature',
                'lipschitz_mean',
                'lipschitz_sd',
                'consistency_mean',
                'consistency_sd',
              ]}
              rows={fairness.arms.map((a) => [
                a.arm.label,
                a.arm.role,
                a.arm.temperature,
                a.lipschitz?.mean ?? null,
                a.lipschitz?.sd ?? null,
                a.consistency.mean,
                a.consistency.sd,
              ])}
            />
          ) : undefined
        }
      />
      {!fairness.available ? (
        <EmptyState>
          <p data-testid="individual-fairness-unavailable">
            Not available for this study{fairness.reason ? `: ${fairness.reason}` : '.'}
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="chart-grid">
            {lipschitz.points.length > 0 && (
              <TemperatureTrendChart
                title="Lipschitz ratio against temperature"
                description="Mean L1 distance between predicted probability vectors over input distance, for the distilled students against temperature; dashed lines are the teacher and the non-distilled student. Lower is fairer."
                fileName={`${experimentName}-lipschitz`}
                yLabel="↑ ‖f(x) − f(x′)‖₁ / d(x, x′)"
                points={lipschitz.points}
                references={lipschitz.references}
                testId="lipschitz-chart"
              />
            )}
            <TemperatureTrendChart
              title="kNN consistency against temperature"
              description="Share of agreement between each example's prediction and its nearest neighbours' predictions, for the distilled students against temperature; dashed lines are the teacher and the non-distilled student. Higher is fairer."
              fileName={`${experimentName}-consistency`}
              yLabel="↑ consistency"
              points={consistency.points}
              references={consistency.references}
              testId="consistency-chart"
            />
          </div>
          <div className="table-wrap">
            <table data-testid="individual-fairness-table">
              <caption className="visually-hidden">
                Individual fairness per arm, mean ± sd over seeds
              </caption>
              <thead>
                <tr>
                  <th scope="col">arm</th>
                  <th scope="col" className="num">
                    Lipschitz ratio (lower is fairer)
                  </th>
                  <th scope="col" className="num">
                    kNN consistency (higher is fairer)
                  </th>
                </tr>
              </thead>
              <tbody>
                {fairness.arms.map((a) => (
                  <tr key={a.arm.label}>
                    <th scope="row">{a.arm.label}</th>
                    <td className="num">{meanSd(a.lipschitz)}</td>
                    <td className="num">{meanSd(a.consistency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

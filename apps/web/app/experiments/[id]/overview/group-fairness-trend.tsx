import Link from 'next/link';
import { TemperatureTrendChart } from '@/charts/temperature-trend-chart.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import type { Estimate } from '@/lib/estimate-fields.ts';
import { percent } from '@/lib/format.ts';
import type { GroupFairness } from '@/lib/group-fairness.ts';
import { trendOf } from '@/lib/trend.ts';

function withCi(e: Estimate): string {
  if (e.mean === null) return '–';
  const ci =
    e.lower !== null && e.upper !== null ? ` [${percent(e.lower)}, ${percent(e.upper)}]` : '';
  return `${percent(e.mean)}${ci}`;
}

/**
 * DPD and EOD of each arm for one sensitive attribute (the paper's Table 2), in percent, as two
 * charts against temperature and a table.
 */
export function GroupFairnessTrend({
  fairness,
  experimentId,
  experimentName,
}: {
  fairness: GroupFairness;
  experimentId: string;
  experimentName: string;
}) {
  const { attribute } = fairness;
  const dpd = trendOf(fairness.arms.map((a) => ({ arm: a.arm, estimate: a.dpd })));
  const eod = trendOf(fairness.arms.map((a) => ({ arm: a.arm, estimate: a.eod })));
  const slug = attribute.replace(/[^A-Za-z0-9_-]+/g, '-');
  return (
    <article
      aria-labelledby={`fairness-${slug}`}
      className="attribute-block"
      data-testid={`fairness-${slug}`}
    >
      <div className="section-heading">
        <h3 id={`fairness-${slug}`}>
          by {attribute}{' '}
          <small>
            ({fairness.groups.length} groups ·{' '}
            <Link
              href={`/experiments/${experimentId}/groups?attribute=${encodeURIComponent(attribute)}`}
            >
              per-group rates
            </Link>
            )
          </small>
        </h3>
        <div className="export-bar">
          <CsvButton
            fileName={`${experimentName}-fairness-${slug}.csv`}
            header={[
              'arm',
              'role',
              'temperature',
              'dpd_mean',
              'dpd_lower',
              'dpd_upper',
              'eod_mean',
              'eod_lower',
              'eod_upper',
            ]}
            rows={fairness.arms.map((a) => [
              a.arm.label,
              a.arm.role,
              a.arm.temperature,
              a.dpd.mean,
              a.dpd.lower,
              a.dpd.upper,
              a.eod.mean,
              a.eod.lower,
              a.eod.upper,
            ])}
          />
        </div>
      </div>
      <div className="chart-grid">
        <TemperatureTrendChart
          title={`Demographic parity difference by ${attribute}`}
          description="DPD in percent of the distilled students against temperature with its 95% bootstrap interval; dashed lines are the teacher and the non-distilled student. Lower is fairer."
          fileName={`${experimentName}-dpd-${slug}`}
          yLabel="↑ DPD (%)"
          points={dpd.points}
          references={dpd.references}
          scale={100}
          testId={`dpd-chart-${slug}`}
        />
        <TemperatureTrendChart
          title={`Equalized odds difference by ${attribute}`}
          description="EOD in percent of the distilled students against temperature with its 95% bootstrap interval; dashed lines are the teacher and the non-distilled student. Lower is fairer."
          fileName={`${experimentName}-eod-${slug}`}
          yLabel="↑ EOD (%)"
          points={eod.points}
          references={eod.references}
          scale={100}
          testId={`eod-chart-${slug}`}
        />
      </div>
      <div className="table-wrap">
        <table data-testid={`fairness-table-${slug}`}>
          <caption className="visually-hidden">
            DPD and EOD by {attribute}, mean over seeds with 95% bootstrap interval
          </caption>
          <thead>
            <tr>
              <th scope="col">arm</th>
              <th scope="col" className="num">
                DPD [95% CI]
              </th>
              <th scope="col" className="num">
                EOD [95% CI]
              </th>
            </tr>
          </thead>
          <tbody>
            {fairness.arms.map((a) => (
              <tr key={a.arm.label} data-testid="fairness-row">
                <th scope="row">{a.arm.label}</th>
                <td className="num">{withCi(a.dpd)}</td>
                <td className="num">{withCi(a.eod)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </article>
  );
}

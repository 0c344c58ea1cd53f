import Link from 'next/link';
import { type GroupRate, GroupRatesChart } from '@/charts/group-rates-chart.tsx';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { loadExperimentHeader } from '@/lib/experiment.ts';
import { percent } from '@/lib/format.ts';
import { attempt } from '@/lib/graphql.ts';
import {
  type ArmGroupFairness,
  type GroupFairness,
  type GroupRow,
  loadGroupFairness,
} from '@/lib/group-fairness.ts';
import { hrefWith, param, type SearchParams } from '@/lib/search-params.ts';

export const dynamic = 'force-dynamic';

/** max − min of a rate over the groups that have it; null with fewer than two. */
function gap(rows: readonly GroupRow[], pick: (r: GroupRow) => number | null): number | null {
  const values = rows.map(pick).filter((v): v is number => v !== null);
  return values.length < 2 ? null : Math.max(...values) - Math.min(...values);
}

/** One arm's groups: their rates, and the gaps that make up DPD and EOD. */
function ArmGroupsTable({
  arm,
  attribute,
  fileStem,
}: {
  arm: ArmGroupFairness;
  attribute: string;
  fileStem: string;
}) {
  const selectionGap = gap(arm.groups, (r) => r.selectionRate);
  const tprGap = gap(arm.groups, (r) => r.truePositiveRate);
  const fprGap = gap(arm.groups, (r) => r.falsePositiveRate);
  const eodGap = tprGap === null && fprGap === null ? null : Math.max(tprGap ?? 0, fprGap ?? 0);
  const slug = `${fileStem}-${arm.arm.label.replace(/[^A-Za-z0-9]+/g, '-')}`;
  return (
    <article className="arm-groups" aria-labelledby={`arm-${slug}`} data-testid="arm-groups">
      <div className="section-heading">
        <h3 id={`arm-${slug}`}>{arm.arm.label}</h3>
        <div className="export-bar">
          <CsvButton
            fileName={`${slug}.csv`}
            header={['group', 'count', 'accuracy', 'selection_rate', 'tpr', 'fpr']}
            rows={arm.groups.map((g) => [
              g.group,
              g.count,
              g.accuracy,
              g.selectionRate,
              g.truePositiveRate,
              g.falsePositiveRate,
            ])}
          />
        </div>
      </div>
      <div className="table-wrap">
        <table data-testid="group-table">
          <caption className="visually-hidden">
            {arm.arm.label}: rates per {attribute} group, pooled over seeds
          </caption>
          <thead>
            <tr>
              <th scope="col">{attribute}</th>
              <th scope="col" className="num">
                count
              </th>
              <th scope="col" className="num">
                accuracy
              </th>
              <th scope="col" className="num">
                selection rate
              </th>
              <th scope="col" className="num">
                TPR
              </th>
              <th scope="col" className="num">
                FPR
              </th>
            </tr>
          </thead>
          <tbody>
            {arm.groups.map((g) => (
              <tr key={g.group} data-testid="group-row">
                <th scope="row">{g.group}</th>
                <td className="num">{g.count}</td>
                <td className="num">{percent(g.accuracy)}</td>
                <td className="num">{percent(g.selectionRate)}</td>
                <td className="num">{percent(g.truePositiveRate)}</td>
                <td className="num">{percent(g.falsePositiveRate)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="gap-row">
              <th scope="row" colSpan={3}>
                gap (max − min)
              </th>
              <td className="num">{percent(selectionGap)}</td>
              <td className="num">{percent(tprGap)}</td>
              <td className="num">{percent(fprGap)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="gaps" data-testid="gap-summary">
        Selection-rate gap <strong>{percent(selectionGap)}</strong> · EOD gap = max(TPR gap, FPR
        gap) <strong>{percent(eodGap)}</strong> · study DPD <strong>{percent(arm.dpd.mean)}</strong>
        , EOD <strong>{percent(arm.eod.mean)}</strong> (mean over seeds)
      </p>
    </article>
  );
}

export default async function GroupsPage({
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
  const attributes = experiment.sensitiveAttributes;
  const requested = param(query, 'attribute');
  const attribute = requested && attributes.includes(requested) ? requested : attributes[0];
  if (!attribute) {
    return (
      <EmptyState>
        <p>This study names no sensitive attribute, so there are no groups to compare.</p>
      </EmptyState>
    );
  }
  const result = await attempt(() => loadGroupFairness(id, attribute));
  return (
    <>
      <h2>Groups by {attribute}</h2>
      <nav aria-label="Sensitive attribute" className="segmented">
        {attributes.map((a) => (
          <Link
            key={a}
            href={hrefWith(`/experiments/${id}/groups`, { attribute: a })}
            aria-current={a === attribute ? 'true' : undefined}
          >
            {a}
          </Link>
        ))}
      </nav>
      {!result.ok ? (
        <ApiErrorNotice error={result.error} what={`the groups by ${attribute}`} />
      ) : result.value.arms.length === 0 ? (
        <EmptyState>
          <p>No results yet for these groups.</p>
        </EmptyState>
      ) : (
        <GroupsBody fairness={result.value} fileStem={`${experiment.name}-${attribute}`} />
      )}
    </>
  );
}

function GroupsBody({ fairness, fileStem }: { fairness: GroupFairness; fileStem: string }) {
  const arms = fairness.arms.map((a) => a.arm.label);
  const rates = (pick: (r: GroupRow) => number | null): GroupRate[] =>
    fairness.arms.flatMap((a) =>
      a.groups.flatMap((g) => {
        const rate = pick(g);
        return rate === null ? [] : [{ arm: a.arm.label, group: g.group, rate }];
      }),
    );
  return (
    <>
      {fairness.stale && (
        <p className="notice">
          Results changed after the study summary was computed: DPD and EOD below are the older ones
          until it is recomputed.
        </p>
      )}
      <p className="hint">
        {fairness.posLabel !== null &&
          `Selection rate, TPR and FPR count class ${fairness.posLabel} as the positive label. `}
        Rates per group are pooled over each arm's seeds. DPD is the largest gap in selection rate
        between groups; EOD the larger of the TPR and FPR gaps. With more than two classes the
        study's DPD and EOD are the mean over one-vs-rest problems, so they differ from the gaps of
        these pooled rates.
      </p>
      <div className="chart-grid">
        <GroupRatesChart
          rates={rates((g) => g.selectionRate)}
          arms={arms}
          title={`Selection rate per ${fairness.attribute} group`}
          description="For each arm, one dot per group at its selection rate; the line spans the gap between the lowest and highest group."
          xLabel="selection rate"
          fileName={`${fileStem}-selection-rate`}
          testId="selection-rate-chart"
        />
        <GroupRatesChart
          rates={rates((g) => g.accuracy)}
          arms={arms}
          title={`Accuracy per ${fairness.attribute} group`}
          description="For each arm, one dot per group at its accuracy; the line spans the gap between the lowest and highest group."
          xLabel="accuracy"
          fileName={`${fileStem}-accuracy`}
          testId="group-accuracy-chart"
        />
      </div>
      {fairness.arms.map((arm) => (
        <ArmGroupsTable
          key={arm.arm.label}
          arm={arm}
          attribute={fairness.attribute}
          fileStem={fileStem}
        />
      ))}
    </>
  );
}

import { type GroupRate, GroupRatesChart } from '@/charts/group-rates-chart.tsx';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { AttributeChecks, chosenAttributes } from '@/components/attribute-checks.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import type { Estimate } from '@/lib/estimate-fields.ts';
import { loadExperimentHeader } from '@/lib/experiment.ts';
import { decimal, percent } from '@/lib/format.ts';
import { attempt } from '@/lib/graphql.ts';
import type { DisparityMethod } from '@/lib/graphql-document.ts';
import {
  type ArmIntersectionalFairness,
  type IntersectionalChoice,
  type IntersectionalFairness,
  type IntersectionalGroupRow,
  loadIntersectionalFairness,
} from '@/lib/intersectional-fairness.ts';
import { param, params, type SearchParams } from '@/lib/search-params.ts';

export const dynamic = 'force-dynamic';

const DEFAULT_MIN_GROUP_SIZE = 30;
const methodLabels: Record<DisparityMethod, string> = {
  between_groups: 'between groups (max − min)',
  to_overall: 'to overall (largest gap to all rows)',
};

/** max − min of a rate over the groups compared (not small) that have it; null with fewer than two. */
function gap(
  rows: readonly IntersectionalGroupRow[],
  pick: (r: IntersectionalGroupRow) => number | null,
): number | null {
  const values = rows
    .filter((r) => !r.small)
    .map(pick)
    .filter((v): v is number => v !== null);
  return values.length < 2 ? null : Math.max(...values) - Math.min(...values);
}

/** "0.1234 [0.1000, 0.1500]": the mean over seeds and its bootstrap CI. */
function withCi(e: Estimate): string {
  if (e.mean === null) return '–';
  return e.lower === null || e.upper === null
    ? decimal(e.mean)
    : `${decimal(e.mean)} [${decimal(e.lower)}, ${decimal(e.upper)}]`;
}

/** One arm's groups: their rates, and the gaps that make up DPD and EOD. */
function ArmGroupsTable({
  arm,
  groupName,
  fileStem,
}: {
  arm: ArmIntersectionalFairness;
  groupName: string;
  fileStem: string;
}) {
  const selectionGap = gap(arm.groups, (r) => r.selectionRate);
  const tprGap = gap(arm.groups, (r) => r.truePositiveRate);
  const fprGap = gap(arm.groups, (r) => r.falsePositiveRate);
  const slug = `${fileStem}-${arm.arm.label.replace(/[^A-Za-z0-9]+/g, '-')}`;
  return (
    <article className="arm-groups" aria-labelledby={`arm-${slug}`} data-testid="arm-groups">
      <div className="section-heading">
        <h3 id={`arm-${slug}`}>{arm.arm.label}</h3>
        <div className="export-bar">
          <CsvButton
            fileName={`${slug}.csv`}
            header={['group', 'count', 'accuracy', 'selection_rate', 'tpr', 'fpr', 'small']}
            rows={arm.groups.map((g) => [
              g.group,
              g.count,
              g.accuracy,
              g.selectionRate,
              g.truePositiveRate,
              g.falsePositiveRate,
              g.small,
            ])}
          />
        </div>
      </div>
      <div className="table-wrap">
        <table data-testid="group-table">
          <caption className="visually-hidden">
            {arm.arm.label}: rates per {groupName} group, mean over seeds
          </caption>
          <thead>
            <tr>
              <th scope="col">{groupName}</th>
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
              <th scope="col">note</th>
            </tr>
          </thead>
          <tbody>
            {arm.groups.map((g) => (
              <tr
                key={g.group}
                data-testid="group-row"
                className={g.small ? 'small-group' : undefined}
              >
                <th scope="row">{g.group}</th>
                <td className="num">{g.count}</td>
                <td className="num">{percent(g.accuracy)}</td>
                <td className="num">{percent(g.selectionRate)}</td>
                <td className="num">{percent(g.truePositiveRate)}</td>
                <td className="num">{percent(g.falsePositiveRate)}</td>
                <td data-testid="group-note">{g.small ? 'small: not compared' : ''}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="gap-row">
              <th scope="row" colSpan={3}>
                gap (max − min, compared groups)
              </th>
              <td className="num">{percent(selectionGap)}</td>
              <td className="num">{percent(tprGap)}</td>
              <td className="num">{percent(fprGap)}</td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="gaps" data-testid="gap-summary">
        DPD <strong>{withCi(arm.dpd)}</strong> · DPR <strong>{withCi(arm.dpr)}</strong> · EOD{' '}
        <strong>{withCi(arm.eod)}</strong> · EOR <strong>{withCi(arm.eor)}</strong> (mean over
        seeds, 95% bootstrap CI)
      </p>
    </article>
  );
}

/** The choice of attributes, positive class, minimum group size and method: a GET form. */
function GroupPicker({
  attributes,
  choice,
  classNames,
}: {
  attributes: readonly string[];
  choice: IntersectionalChoice;
  classNames: readonly string[];
}) {
  return (
    <form method="get" className="filters" aria-label="Groups to compare">
      <AttributeChecks attributes={attributes} chosen={choice.attributes} />
      <label>
        Positive class
        <select
          name="positive"
          defaultValue={choice.positiveClass === null ? 'mean' : String(choice.positiveClass)}
          data-testid="positive-class"
        >
          <option value="mean">mean over classes (the study's DPD/EOD)</option>
          {classNames.map((name, k) => (
            <option key={name} value={k}>
              {k}: {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Minimum group size
        <input
          type="number"
          name="min"
          min={1}
          step={1}
          defaultValue={choice.minGroupSize}
          data-testid="min-group-size"
        />
      </label>
      <label>
        Method
        <select name="method" defaultValue={choice.method}>
          {(Object.keys(methodLabels) as DisparityMethod[]).map((m) => (
            <option key={m} value={m}>
              {methodLabels[m]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" data-testid="groups-submit">
        Show
      </button>
    </form>
  );
}

/** The page's choice from its URL; positive class 1 by default, as the page always showed. */
function choiceOf(query: SearchParams, attributes: readonly string[]): IntersectionalChoice {
  const positive = param(query, 'positive');
  const min = Number(param(query, 'min'));
  const method = param(query, 'method');
  return {
    attributes: chosenAttributes(attributes, params(query, 'attribute')),
    positiveClass: positive === 'mean' ? null : /^\d+$/.test(positive ?? '') ? Number(positive) : 1,
    minGroupSize: Number.isInteger(min) && min >= 1 ? min : DEFAULT_MIN_GROUP_SIZE,
    method: method === 'to_overall' ? 'to_overall' : 'between_groups',
  };
}

export default async function GroupsPage({
  params: pageParams,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { id } = await pageParams;
  const query = await searchParams;
  const header = await loadExperimentHeader(id);
  if (!header.ok || !header.value) return null;
  const experiment = header.value;
  const attributes = experiment.sensitiveAttributes;
  if (attributes.length === 0) {
    return (
      <EmptyState>
        <p>This study names no sensitive attribute, so there are no groups to compare.</p>
      </EmptyState>
    );
  }
  const choice = choiceOf(query, attributes);
  const name = choice.attributes.join(' × ');
  const result = await attempt(() => loadIntersectionalFairness(id, choice));
  return (
    <>
      <h2>Groups by {name}</h2>
      <GroupPicker
        attributes={attributes}
        choice={choice}
        classNames={result.ok ? result.value.classNames : []}
      />
      {!result.ok ? (
        <ApiErrorNotice error={result.error} what={`the groups by ${name}`} />
      ) : result.value.fairness.arms.length === 0 ? (
        <EmptyState>
          <p>No results yet for these groups.</p>
        </EmptyState>
      ) : (
        <GroupsBody
          fairness={result.value.fairness}
          fileStem={`${experiment.name}-${choice.attributes.join('-')}`}
        />
      )}
    </>
  );
}

function GroupsBody({
  fairness,
  fileStem,
}: {
  fairness: IntersectionalFairness;
  fileStem: string;
}) {
  const name = fairness.attributes.join(' × ');
  const arms = fairness.arms.map((a) => a.arm.label);
  const rates = (pick: (r: IntersectionalGroupRow) => number | null): GroupRate[] =>
    fairness.arms.flatMap((a) =>
      a.groups.flatMap((g) => {
        const rate = pick(g);
        return rate === null || g.small ? [] : [{ arm: a.arm.label, group: g.group, rate }];
      }),
    );
  const positive =
    fairness.positiveClass === null
      ? 'the mean over classes of each class against the rest (the study summary’s DPD and EOD; the mean selection rate is 1/classes in every group)'
      : `class ${fairness.positiveClass} (${fairness.positiveClassName}) against the rest`;
  return (
    <>
      <p className="hint" data-testid="groups-hint">
        Selection rate, TPR, FPR, DPD and EOD take {positive}. Rates per group are the mean over
        each arm's seeds; DPD, DPR, EOD and EOR are computed per seed (
        {methodLabels[fairness.method]}
        ), then averaged, with a bootstrap CI over seeds. {fairness.comparedGroups} of{' '}
        {fairness.groups.length} groups have at least {fairness.minGroupSize} test examples and are
        compared.
      </p>
      {fairness.smallGroups.length > 0 && (
        <p className="notice" data-testid="small-groups">
          Left out of DPD/EOD as smaller than {fairness.minGroupSize} examples:{' '}
          {fairness.smallGroups.map((s) => `${s.group} (${s.count})`).join(', ')}.
        </p>
      )}
      <div className="chart-grid">
        <GroupRatesChart
          rates={rates((g) => g.selectionRate)}
          arms={arms}
          title={`Selection rate per ${name} group`}
          description="For each arm, one dot per compared group at its selection rate; the line spans the gap between the lowest and highest group."
          xLabel="selection rate"
          fileName={`${fileStem}-selection-rate`}
          testId="selection-rate-chart"
        />
        <GroupRatesChart
          rates={rates((g) => g.accuracy)}
          arms={arms}
          title={`Accuracy per ${name} group`}
          description="For each arm, one dot per compared group at its accuracy; the line spans the gap between the lowest and highest group."
          xLabel="accuracy"
          fileName={`${fileStem}-accuracy`}
          testId="group-accuracy-chart"
        />
      </div>
      {fairness.arms.map((arm) => (
        <ArmGroupsTable key={arm.arm.label} arm={arm} groupName={name} fileStem={fileStem} />
      ))}
    </>
  );
}

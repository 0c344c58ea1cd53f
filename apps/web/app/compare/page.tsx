import Link from 'next/link';
import type { ReactNode } from 'react';
import { type ExperimentSeries, ExperimentsTrendChart } from '@/charts/experiments-trend-chart.tsx';
import { seriesPalette } from '@/charts/palette.ts';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import type { Estimate } from '@/lib/estimate-fields.ts';
import {
  armsOfAll,
  type ComparableExperiment,
  type ComparedExperiment,
  comparedIds,
  type ExperimentComparison,
  loadComparableExperiments,
  loadExperimentComparison,
  MAX_COMPARED,
} from '@/lib/experiment-comparison.ts';
import { percent, percentPoints } from '@/lib/format.ts';
import { attempt } from '@/lib/graphql.ts';
import type { SearchParams } from '@/lib/search-params.ts';
import { ClassDeltaTable, type DeltaChoice } from './class-delta-table.tsx';

export const dynamic = 'force-dynamic';

function withCi(e: Estimate | null | undefined): string {
  if (!e || e.mean === null) return '–';
  const ci =
    e.lower !== null && e.upper !== null ? ` [${percent(e.lower)}, ${percent(e.upper)}]` : '';
  return `${percent(e.mean)}${ci}`;
}

const setup = (e: { teacherArchitecture: string | null; studentArchitecture: string | null }) =>
  `${e.teacherArchitecture ?? '?'} → ${e.studentArchitecture ?? '?'}`;

/**
 * Experiments grouped by test set; the group of the reference (the first id) comes first and
 * open, with the chosen experiments checked in their order. Each group is its own GET form, so
 * only experiments on one test set can be sent together.
 */
function Picker({
  experiments,
  totalCount,
  chosen,
}: {
  experiments: readonly ComparableExperiment[];
  totalCount: number;
  chosen: readonly string[];
}) {
  const withTestSet = experiments.filter((e) => e.testSetDigest !== null);
  const byDigest = new Map<string, ComparableExperiment[]>();
  for (const e of withTestSet) {
    const group = byDigest.get(e.testSetDigest as string);
    if (group) group.push(e);
    else byDigest.set(e.testSetDigest as string, [e]);
  }
  const reference = withTestSet.find((e) => e.id === chosen[0]);
  const groups = [...byDigest.entries()].sort(([a], [b]) =>
    a === reference?.testSetDigest ? -1 : b === reference?.testSetDigest ? 1 : 0,
  );
  if (groups.length === 0) {
    return (
      <EmptyState>
        <p>No experiment has a test set yet: run or import one first.</p>
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="picker-title" data-testid="compare-picker">
      <h2 id="picker-title">Experiments on the same test set</h2>
      {totalCount > experiments.length && (
        <p className="hint">
          The latest {experiments.length} of {totalCount} experiments; add an older one by its id in
          the address (<code>?ids=a,b</code>).
        </p>
      )}
      {groups.map(([digest, members]) => {
        const first = members[0] as ComparableExperiment;
        const ordered = [
          ...chosen.flatMap((id) => members.filter((m) => m.id === id)),
          ...members.filter((m) => !chosen.includes(m.id)),
        ];
        const isReference = digest === reference?.testSetDigest;
        return (
          <details
            key={digest}
            open={isReference || (reference === undefined && groups.length === 1)}
            data-testid="test-set-group"
          >
            <summary>
              {first.dataset}: {first.classNames.length} classes, test set {digest.slice(0, 12)}… (
              {members.length} experiment{members.length === 1 ? '' : 's'})
            </summary>
            {members.length < 2 ? (
              <p className="hint">Only one experiment is on this test set.</p>
            ) : (
              <form method="get" action="/compare" className="filters">
                {ordered.map((m) => (
                  <label key={m.id} className="checkbox">
                    <input
                      type="checkbox"
                      name="ids"
                      value={m.id}
                      defaultChecked={chosen.includes(m.id)}
                      data-testid={`pick-${m.name}`}
                    />
                    {m.name} <small>({setup(m)})</small>
                  </label>
                ))}
                <button type="submit" data-testid="compare-submit">
                  Compare
                </button>
              </form>
            )}
          </details>
        );
      })}
      <p className="hint">
        The first experiment checked is the reference: per-class changes are the others minus it. At
        most {MAX_COMPARED}.
      </p>
    </section>
  );
}

function AccuracyTable({ comparison }: { comparison: ExperimentComparison }) {
  const { experiments } = comparison;
  const arms = armsOfAll(experiments);
  const reference = experiments[0];
  return (
    <section aria-labelledby="accuracy-title">
      <h2 id="accuracy-title">Accuracy per arm</h2>
      <p className="hint">
        Top-1 test accuracy, mean over seeds with its 95% bootstrap interval, from each
        experiment&apos;s stored study summary; the change is against {reference?.experiment.name}.
      </p>
      <div className="table-wrap">
        <table data-testid="compare-accuracy">
          <caption className="visually-hidden">Accuracy per arm, one column per experiment</caption>
          <thead>
            <tr>
              <th scope="col">arm</th>
              {experiments.map((e) => (
                <th key={e.experiment.id} scope="col" className="num">
                  {e.experiment.name}
                  <br />
                  <small>{setup(e.experiment)}</small>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {arms.map((arm) => (
              <tr key={arm.key} data-testid="compare-accuracy-row">
                <th scope="row">{arm.label}</th>
                <ExperimentCells
                  experiments={experiments}
                  cell={(e) => {
                    const at = e.arms.findIndex((a) => a.label === arm.label);
                    // The API's delta against the first experiment (null for it or without the arm).
                    const delta = e.accuracyDelta[at];
                    return (
                      <>
                        {withCi(e.arms[at]?.accuracy)}
                        {delta != null && <small>{` (${percentPoints(delta)})`}</small>}
                      </>
                    );
                  }}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** One numeric cell per experiment, in the columns' order (the accuracy and SC/TC tables). */
function ExperimentCells({
  experiments,
  cell,
}: {
  experiments: readonly ComparedExperiment[];
  cell: (e: ComparedExperiment) => ReactNode;
}) {
  return experiments.map((e) => (
    <td key={e.experiment.id} className="num">
      {cell(e)}
    </td>
  ));
}

function SignificanceTable({ experiments }: { experiments: readonly ComparedExperiment[] }) {
  const temperatures = [
    ...new Set(experiments.flatMap((e) => e.significance.map((s) => s.temperature))),
  ].sort((a, b) => a - b);
  if (temperatures.length === 0) return null;
  return (
    <section aria-labelledby="sctc-title">
      <h2 id="sctc-title">Significant classes (SC / TC)</h2>
      <p className="hint">
        Classes whose accuracy changed significantly from NDS (SC) and from the teacher (TC) to KD
        at each T, uncorrected, with Holm in brackets; each at its own summary&apos;s α and class
        statistic (
        {experiments
          .map((e) => `${e.experiment.name}: α ${e.alpha ?? '–'}, ${e.statistic ?? '–'}`)
          .join('; ')}
        ).
      </p>
      <div className="table-wrap">
        <table data-testid="compare-significance">
          <caption className="visually-hidden">SC and TC per temperature and experiment</caption>
          <thead>
            <tr>
              <th scope="col">T</th>
              {experiments.map((e) => (
                <th key={e.experiment.id} scope="col" className="num">
                  {e.experiment.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {temperatures.map((t) => (
              <tr key={t} data-testid="compare-significance-row">
                <th scope="row">KD T={t}</th>
                <ExperimentCells
                  experiments={experiments}
                  cell={(e) => {
                    const s = e.significance.find((x) => x.temperature === t);
                    const count = (c: { raw: number; holm: number; tested: number } | null) =>
                      c ? `${c.raw} (${c.holm}) of ${c.tested}` : '–';
                    return s ? `SC ${count(s.sc)} · TC ${count(s.tc)}` : '–';
                  }}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function FairnessSection({ experiments }: { experiments: readonly ComparedExperiment[] }) {
  const attributes = [
    ...new Set(experiments.flatMap((e) => e.groupFairness.map((g) => g.attribute))),
  ];
  if (attributes.length === 0) return null;
  return (
    <section aria-labelledby="fairness-title">
      <h2 id="fairness-title">Group fairness against T</h2>
      {attributes.map((attribute) => {
        const slug = attribute.replace(/[^A-Za-z0-9_-]+/g, '-');
        const seriesOf = (measure: 'dpd' | 'eod'): ExperimentSeries[] =>
          experiments.map((e, i) => ({
            name: e.experiment.name,
            colour: seriesPalette[i % seriesPalette.length] as string,
            points: (e.groupFairness.find((g) => g.attribute === attribute)?.arms ?? []).flatMap(
              (a) =>
                a.arm.role === 'distilled' && a.arm.temperature !== null && a[measure].mean !== null
                  ? [
                      {
                        temperature: a.arm.temperature,
                        mean: a[measure].mean as number,
                        lower: a[measure].lower,
                        upper: a[measure].upper,
                      },
                    ]
                  : [],
            ),
          }));
        const arms = armsOfAll(
          experiments.map((e) => ({
            arms: (e.groupFairness.find((g) => g.attribute === attribute)?.arms ?? []).map(
              (a) => a.arm,
            ),
          })),
        );
        return (
          <article
            key={attribute}
            className="attribute-block"
            data-testid={`compare-fairness-${slug}`}
          >
            <h3>by {attribute}</h3>
            <div className="chart-grid">
              <ExperimentsTrendChart
                title={`Demographic parity difference by ${attribute}`}
                description="DPD in percent of each experiment's distilled students against temperature, one line per experiment with its 95% bootstrap interval. Lower is fairer."
                fileName={`compare-dpd-${slug}`}
                yLabel="↑ DPD (%)"
                series={seriesOf('dpd')}
                scale={100}
                testId={`compare-dpd-${slug}`}
              />
              <ExperimentsTrendChart
                title={`Equalized odds difference by ${attribute}`}
                description="EOD in percent of each experiment's distilled students against temperature, one line per experiment with its 95% bootstrap interval. Lower is fairer."
                fileName={`compare-eod-${slug}`}
                yLabel="↑ EOD (%)"
                series={seriesOf('eod')}
                scale={100}
                testId={`compare-eod-${slug}`}
              />
            </div>
            <div className="table-wrap">
              <table data-testid={`compare-fairness-table-${slug}`}>
                <caption className="visually-hidden">
                  DPD and EOD by {attribute} per arm and experiment, with 95% bootstrap intervals
                </caption>
                <thead>
                  <tr>
                    <th scope="col">arm</th>
                    {experiments.map((e) => (
                      <th key={e.experiment.id} scope="col" className="num">
                        {e.experiment.name}: DPD · EOD
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {arms.map((arm) => (
                    <tr key={arm.key} data-testid="compare-fairness-row">
                      <th scope="row">{arm.label}</th>
                      {experiments.map((e) => {
                        const a = e.groupFairness
                          .find((g) => g.attribute === attribute)
                          ?.arms.find((x) => x.arm.label === arm.label);
                        return (
                          <td key={e.experiment.id} className="num">
                            {a ? `${withCi(a.dpd)} · ${withCi(a.eod)}` : '–'}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </article>
        );
      })}
    </section>
  );
}

function ComparisonBody({ comparison }: { comparison: ExperimentComparison }) {
  const { experiments } = comparison;
  const nameOf = new Map(experiments.map((e) => [e.experiment.id, e.experiment.name]));
  const choices: DeltaChoice[] = comparison.classDeltas.map((d) => {
    const name = nameOf.get(d.experimentId) ?? d.experimentId;
    const referenceName = nameOf.get(d.referenceId) ?? d.referenceId;
    return {
      title: `${name} − ${referenceName}: ${d.label}`,
      distilled: d.role === 'distilled',
      referenceName,
      name,
      accuracyReference: d.accuracyReference,
      accuracy: d.accuracy,
      delta: d.delta,
      adjustedP: d.adjustedP,
      significantCount: d.significantCount,
      testedCount: d.testedCount,
    };
  });
  const notes = experiments.filter((e) => !e.summarized || e.stale);
  return (
    <>
      <p className="meta" data-testid="compare-test-set">
        {experiments.length} experiments on one test set: {comparison.examples} examples,{' '}
        {comparison.classNames.length} classes (digest {comparison.testSetDigest.slice(0, 12)}…) ·{' '}
        {experiments.map((e, i) => (
          <span key={e.experiment.id}>
            {i > 0 && ', '}
            <Link href={`/experiments/${e.experiment.id}`}>{e.experiment.name}</Link>
          </span>
        ))}
      </p>
      {notes.map((e) => (
        <p key={e.experiment.id} className="hint" role="status">
          {e.experiment.name}:{' '}
          {e.summarized
            ? 'results changed since its summary was computed; the summary tables may be behind.'
            : 'no study summary yet; only its per-class changes are shown.'}
        </p>
      ))}
      <AccuracyTable comparison={comparison} />
      <SignificanceTable experiments={experiments} />
      <FairnessSection experiments={experiments} />
      <section aria-labelledby="deltas-title">
        <h2 id="deltas-title">Per-class changes</h2>
        {choices.length === 0 ? (
          <EmptyState>
            <p>No arm has per-class results in both the reference and another experiment.</p>
          </EmptyState>
        ) : (
          <ClassDeltaTable
            choices={choices}
            classNames={comparison.classNames}
            alpha={comparison.alpha}
            correction={comparison.correction}
          />
        )}
      </section>
    </>
  );
}

/** Two or more experiments on the same test set side by side (`/compare?ids=a,b`). */
export default async function ComparePage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const ids = comparedIds(await searchParams);
  const list = await attempt(loadComparableExperiments);
  const comparison =
    ids.length >= 2 && ids.length <= MAX_COMPARED
      ? await attempt(() => loadExperimentComparison(ids))
      : null;
  return (
    <>
      <h1>Compare experiments</h1>
      {ids.length > MAX_COMPARED && (
        <div className="error" role="alert" data-testid="api-error">
          <p>
            Compare at most {MAX_COMPARED} experiments at once; the address names {ids.length}.
          </p>
        </div>
      )}
      {comparison && !comparison.ok && (
        <ApiErrorNotice error={comparison.error} what="the comparison" />
      )}
      {comparison?.ok && <ComparisonBody comparison={comparison.value} />}
      {!list.ok ? (
        <ApiErrorNotice error={list.error} what="the experiments to compare" />
      ) : (
        <Picker
          experiments={list.value.experiments}
          totalCount={list.value.totalCount}
          chosen={ids}
        />
      )}
    </>
  );
}

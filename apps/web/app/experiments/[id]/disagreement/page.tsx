import Link from 'next/link';
import { ClassDisagreementChart } from '@/charts/class-disagreement-chart.tsx';
import { DisagreementPairsChart } from '@/charts/disagreement-pairs-chart.tsx';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { type ArmKey, armParam, parseArmParam, sameArm } from '@/lib/arms.ts';
import {
  type Disagreement,
  type DisagreementPair,
  loadDisagreement,
  loadDisagreementPairs,
} from '@/lib/disagreement.ts';
import { loadExperimentHeader } from '@/lib/experiment.ts';
import { list, percent } from '@/lib/format.ts';
import { attempt } from '@/lib/graphql.ts';
import { hrefWith, param, type SearchParams } from '@/lib/search-params.ts';
import { ClassDisagreementTable } from './class-disagreement-table.tsx';

export const dynamic = 'force-dynamic';

/** The pair the URL names when the study has it, else the first one (teacher vs NDS). */
function chosenPair(
  pairs: readonly DisagreementPair[],
  a: ArmKey | null,
  b: ArmKey | null,
): DisagreementPair | undefined {
  const named =
    a && b
      ? pairs.find(
          (p) => (sameArm(p.a, a) && sameArm(p.b, b)) || (sameArm(p.a, b) && sameArm(p.b, a)),
        )
      : undefined;
  return named ?? pairs[0];
}

function PairsTable({
  pairs,
  chosen,
  path,
}: {
  pairs: readonly DisagreementPair[];
  chosen: DisagreementPair;
  path: string;
}) {
  return (
    <div className="table-wrap">
      <table data-testid="disagreement-pairs-table">
        <caption className="visually-hidden">
          Disagreement of every pair of arms, mean over common seeds with bootstrap intervals
        </caption>
        <thead>
          <tr>
            <th scope="col">arm A</th>
            <th scope="col">arm B</th>
            <th scope="col">seeds</th>
            <th scope="col" className="num">
              disagreement
            </th>
            <th scope="col" className="num">
              CI
            </th>
            <th scope="col">per class</th>
          </tr>
        </thead>
        <tbody>
          {pairs.map((p) => {
            const current = p === chosen;
            return (
              <tr
                key={`${armParam(p.a)}-${armParam(p.b)}`}
                data-testid="disagreement-pair-row"
                aria-current={current ? 'true' : undefined}
              >
                <th scope="row">{p.a.label}</th>
                <td>{p.b.label}</td>
                <td>{list(p.seeds)}</td>
                <td className="num">{percent(p.overall.mean)}</td>
                <td className="num">
                  [{percent(p.overall.lower)}, {percent(p.overall.upper)}]
                </td>
                <td>
                  {current ? (
                    'shown below'
                  ) : (
                    <Link href={hrefWith(path, { a: armParam(p.a), b: armParam(p.b) })}>show</Link>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function PerClass({ d, fileStem }: { d: Disagreement; fileStem: string }) {
  const rows = d.rows.flatMap((r) =>
    r.estimate.mean === null
      ? []
      : [
          {
            className: r.className,
            examples: r.examples,
            mean: r.estimate.mean,
            lower: r.estimate.lower,
            upper: r.estimate.upper,
          },
        ],
  );
  const o = d.overallEstimate;
  return (
    <>
      <h3 data-testid="disagreement-pair-title">
        {d.a.label} vs {d.b.label}
      </h3>
      <p className="hint" data-testid="disagreement-overall">
        Over seeds {list(d.seeds)}, {d.a.label} and {d.b.label} predict different labels on{' '}
        {percent(o.mean)} of the test examples [{percent(o.lower)}, {percent(o.upper)}]. Per class:
        the share of that class's test examples on which they differ, whether or not either is
        right.
      </p>
      <ClassDisagreementChart
        rows={rows}
        labelA={d.a.label}
        labelB={d.b.label}
        fileName={`${fileStem}-per-class`}
      />
      <ClassDisagreementTable rows={d.rows} fileName={`${fileStem}-per-class.csv`} />
    </>
  );
}

export default async function DisagreementPage({
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
  const path = `/experiments/${id}/disagreement`;
  const pairs = await attempt(() => loadDisagreementPairs(id));
  if (!pairs.ok) {
    return (
      <>
        <h2>Disagreement</h2>
        <ApiErrorNotice error={pairs.error} what="the disagreement between arms" />
      </>
    );
  }
  if (pairs.value.length === 0) {
    return (
      <EmptyState>
        <p>
          Disagreement compares two arms run by run on the same seed; this study has no two arms
          with results for a common seed yet.
        </p>
      </EmptyState>
    );
  }
  const chosen = chosenPair(
    pairs.value,
    parseArmParam(param(query, 'a')),
    parseArmParam(param(query, 'b')),
  );
  if (!chosen) return null;
  const detail = await attempt(() => loadDisagreement(id, chosen.a, chosen.b));
  const arms = experiment.arms
    .map((a) => a.label)
    .filter((label) => pairs.value.some((p) => p.a.label === label || p.b.label === label));
  const fileStem = `${experiment.name}-disagreement`;
  return (
    <>
      <h2>Disagreement</h2>
      <p className="hint">
        How often two arms predict different labels for the same test example, run against run on
        the same seed (same data order and initialisation), mean over the common seeds with a
        bootstrap interval over seeds. Two arms can have the same accuracy and still disagree on
        many examples: distillation changes which examples a student gets right.
      </p>
      <DisagreementPairsChart
        arms={arms}
        pairs={pairs.value.map((p) => ({
          a: p.a.label,
          b: p.b.label,
          mean: p.overall.mean ?? 0,
          lower: p.overall.lower,
          upper: p.overall.upper,
        }))}
        fileName={`${fileStem}-pairs`}
      />
      <PairsTable pairs={pairs.value} chosen={chosen} path={path} />
      {detail.ok ? (
        <PerClass
          d={detail.value}
          fileStem={`${fileStem}-${armParam(chosen.a)}-${armParam(chosen.b)}`}
        />
      ) : (
        <ApiErrorNotice error={detail.error} what="the disagreement per class" />
      )}
    </>
  );
}

import type { ReactNode } from 'react';
import { SignificanceChart, type SignificancePoint } from '@/charts/significance-chart.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { SectionHeading } from '@/components/section-heading.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import { type Correction, graphql, type ResultOf } from '@/lib/graphql-document.ts';

/** One row of the sweep as this section reads it (the overview's query spreads it). */
export const TemperatureSignificanceFields = graphql(`
  fragment TemperatureSignificanceFields on TemperatureSignificance {
    temperature
    scCount
    tcCount
    sc {
      raw
      holm
      bh
      tested
    }
    tc {
      raw
      holm
      bh
      tested
    }
  }
`);
type TemperatureSignificance = ResultOf<typeof TemperatureSignificanceFields>;

function counts(c: TemperatureSignificance['sc']): string {
  return c === null ? '–' : `${c.raw} / ${c.holm} / ${c.bh}`;
}

/**
 * The paper's Table 1: per temperature, how many classes changed significantly between the NDS
 * and the distilled student (SC) and between the teacher and the distilled student (TC).
 */
export function SignificanceSweep({
  rows,
  correction,
  alpha,
  picker,
  correctionLabel,
  experimentName,
}: {
  rows: TemperatureSignificance[];
  correction: Correction;
  alpha: number;
  picker: ReactNode;
  correctionLabel: string;
  experimentName: string;
}) {
  const points: SignificancePoint[] = rows.flatMap((r) => [
    ...(r.scCount === null
      ? []
      : [{ temperature: r.temperature, series: 'SC' as const, count: r.scCount }]),
    ...(r.tcCount === null
      ? []
      : [{ temperature: r.temperature, series: 'TC' as const, count: r.tcCount }]),
  ]);
  return (
    <section aria-labelledby="significance">
      <SectionHeading
        id="significance"
        title="Classes changed by distillation"
        actions={
          <CsvButton
            fileName={`${experimentName}-significant-classes.csv`}
            header={[
              'temperature',
              'sc_raw',
              'sc_holm',
              'sc_bh',
              'sc_tested',
              'tc_raw',
              'tc_holm',
              'tc_bh',
              'tc_tested',
            ]}
            rows={rows.map((r) => [
              r.temperature,
              r.sc?.raw ?? null,
              r.sc?.holm ?? null,
              r.sc?.bh ?? null,
              r.sc?.tested ?? null,
              r.tc?.raw ?? null,
              r.tc?.holm ?? null,
              r.tc?.bh ?? null,
              r.tc?.tested ?? null,
            ])}
          />
        }
      />
      <p className="hint">
        Welch t-test per class of accuracy ÷ overall accuracy over seeds, α = {alpha}. SC: NDS vs
        distilled student; TC: teacher vs distilled student. The chart counts {correctionLabel}.
      </p>
      {picker}
      {points.length === 0 ? (
        <EmptyState>
          <p>No counts: the test needs at least two seeds in each arm it compares.</p>
        </EmptyState>
      ) : (
        <SignificanceChart points={points} correctionLabel={correctionLabel} />
      )}
      <div className="table-wrap">
        <table data-testid="significance-table">
          <caption className="visually-hidden">Significant classes per temperature</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                T
              </th>
              <th scope="col" className="num">
                SC ({correction === 'none' ? 'raw' : correction})
              </th>
              <th scope="col" className="num">
                TC ({correction === 'none' ? 'raw' : correction})
              </th>
              <th scope="col" className="num">
                SC raw / Holm / BH
              </th>
              <th scope="col" className="num">
                TC raw / Holm / BH
              </th>
              <th scope="col" className="num">
                classes tested
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.temperature} data-testid="significance-row">
                <th scope="row" className="num">
                  {r.temperature}
                </th>
                <td className="num">{r.scCount ?? '–'}</td>
                <td className="num">{r.tcCount ?? '–'}</td>
                <td className="num">{counts(r.sc)}</td>
                <td className="num">{counts(r.tc)}</td>
                <td className="num">{r.sc?.tested ?? r.tc?.tested ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

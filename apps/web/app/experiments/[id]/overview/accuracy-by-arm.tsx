import { SectionHeading } from '@/components/section-heading.tsx';
import { CsvButton } from '@/export/csv-button.tsx';
import type { ArmWithAccuracy } from '@/lib/experiment.ts';
import { percent, percentMeanSd } from '@/lib/format.ts';

/** Top-1 test accuracy of each arm: mean ± sd over its seeds, with the bootstrap CI. */
export function AccuracyByArm({
  arms,
  experimentName,
}: {
  arms: ArmWithAccuracy[];
  experimentName: string;
}) {
  return (
    <section aria-labelledby="accuracy">
      <SectionHeading
        id="accuracy"
        title="Accuracy per arm"
        actions={
          <CsvButton
            fileName={`${experimentName}-accuracy.csv`}
            header={['arm', 'role', 'temperature', 'seeds', 'mean', 'sd', 'ci_lower', 'ci_upper']}
            rows={arms.map((a) => [
              a.label,
              a.role,
              a.temperature,
              a.seeds.length,
              a.accuracy?.mean ?? null,
              a.accuracy?.sd ?? null,
              a.accuracy?.lower ?? null,
              a.accuracy?.upper ?? null,
            ])}
          />
        }
      />
      <div className="table-wrap">
        <table data-testid="accuracy-table">
          <caption className="visually-hidden">
            Test accuracy per arm, mean ± sample standard deviation over seeds
          </caption>
          <thead>
            <tr>
              <th scope="col">arm</th>
              <th scope="col" className="num">
                seeds
              </th>
              <th scope="col" className="num">
                accuracy (mean ± sd)
              </th>
              <th scope="col" className="num">
                95% CI
              </th>
            </tr>
          </thead>
          <tbody>
            {arms.map((a) => (
              <tr key={a.label} data-testid="accuracy-row">
                <th scope="row">{a.label}</th>
                <td className="num">{a.seeds.length}</td>
                <td className="num">
                  {percentMeanSd(a.accuracy?.mean ?? null, a.accuracy?.sd ?? null)}
                </td>
                <td className="num">
                  {a.accuracy?.lower === null || a.accuracy?.lower === undefined
                    ? '–'
                    : `${percent(a.accuracy.lower)} – ${percent(a.accuracy.upper)}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

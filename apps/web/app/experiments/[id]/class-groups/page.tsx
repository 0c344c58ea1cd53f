import { ClassGroupHeatmapChart } from '@/charts/class-group-heatmap-chart.tsx';
import { ApiErrorNotice } from '@/components/api-error-notice.tsx';
import { AttributeChecks, chosenAttributes } from '@/components/attribute-checks.tsx';
import { EmptyState } from '@/components/empty-state.tsx';
import { armParam, parseArmParam } from '@/lib/arms.ts';
import type { CellTooltip } from '@/lib/class-group-cell-title.ts';
import { type ClassGroupMatrix, loadClassGroupMatrix } from '@/lib/class-group-matrix.ts';
import { loadExperimentHeader } from '@/lib/experiment.ts';
import { attempt } from '@/lib/graphql.ts';
import { param, params, type SearchParams } from '@/lib/search-params.ts';
import { MatrixTable } from './matrix-table.tsx';
import { WorstCellsTable } from './worst-cells-table.tsx';

export const dynamic = 'force-dynamic';

interface Choice {
  attributes: string[];
  baseline: 'teacher' | 'student';
  temperature: number;
  /** 'change', or an arm (URL form: teacher, student, T4) whose accuracy the heatmap shows. */
  view: string;
}

function Picker({
  attributes,
  temperatures,
  arms,
  choice,
}: {
  attributes: readonly string[];
  temperatures: readonly number[];
  arms: readonly { param: string; label: string }[];
  choice: Choice;
}) {
  return (
    <form method="get" className="filters" aria-label="Class × group view">
      <AttributeChecks attributes={attributes} chosen={choice.attributes} />
      <label>
        From
        <select name="from" defaultValue={choice.baseline} data-testid="baseline">
          <option value="teacher">Teacher</option>
          <option value="student">NDS</option>
        </select>
      </label>
      <label>
        To
        <select name="to" defaultValue={`T${choice.temperature}`} data-testid="distilled">
          {temperatures.map((t) => (
            <option key={t} value={`T${t}`}>
              KD T={t}
            </option>
          ))}
        </select>
      </label>
      <label>
        Heatmap
        <select name="view" defaultValue={choice.view} data-testid="heatmap-view">
          <option value="change">change (from → to)</option>
          {arms.map((a) => (
            <option key={a.param} value={a.param}>
              accuracy of {a.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" data-testid="class-groups-submit">
        Show
      </button>
    </form>
  );
}

export default async function ClassGroupsPage({
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
  const temperatures = experiment.arms.flatMap((a) =>
    a.role === 'distilled' && a.temperature !== null ? [a.temperature] : [],
  );
  if (attributes.length === 0 || temperatures.length === 0) {
    return (
      <EmptyState>
        <p>
          The class × group view needs a sensitive attribute and a distilled arm with results; this
          study has {attributes.length} attribute(s) and {temperatures.length} distilled arm(s).
        </p>
      </EmptyState>
    );
  }
  const to = parseArmParam(param(query, 'to'));
  const choice: Choice = {
    attributes: chosenAttributes(attributes, params(query, 'attribute')),
    baseline: param(query, 'from') === 'student' ? 'student' : 'teacher',
    temperature:
      to?.temperature != null && temperatures.includes(to.temperature)
        ? to.temperature
        : (temperatures[0] as number),
    view: param(query, 'view') ?? 'change',
  };
  const arms = experiment.arms.map((a) => ({ param: armParam(a), label: a.label }));
  const name = choice.attributes.join(' × ');
  const result = await attempt(() =>
    loadClassGroupMatrix(id, choice.attributes, choice.baseline, choice.temperature),
  );
  return (
    <>
      <h2>Class × {name}</h2>
      <Picker attributes={attributes} temperatures={temperatures} arms={arms} choice={choice} />
      {!result.ok ? (
        <ApiErrorNotice error={result.error} what={`the class × ${name} matrix`} />
      ) : (
        <MatrixBody
          matrix={result.value}
          choice={choice}
          fileStem={`${experiment.name}-class-${choice.attributes.join('-')}`}
        />
      )}
    </>
  );
}

function MatrixBody({
  matrix,
  choice,
  fileStem,
}: {
  matrix: ClassGroupMatrix;
  choice: Choice;
  fileStem: string;
}) {
  const change = matrix.changes[0];
  const from = matrix.arms.find((a) => a.arm.role === choice.baseline);
  const to = matrix.arms.find(
    (a) => a.arm.role === 'distilled' && a.arm.temperature === choice.temperature,
  );
  const shownArm =
    choice.view === 'change' ? undefined : matrix.arms.find((a) => armParam(a.arm) === choice.view);
  const tooltip: CellTooltip = {
    examples: matrix.examples,
    ...(from ? { from: { label: from.arm.label, mean: from.mean } } : {}),
    ...(to ? { to: { label: to.arm.label, mean: to.mean } } : {}),
    ...(change
      ? { change: { delta: change.delta, lower: change.lower, upper: change.upper } }
      : {}),
    ...(shownArm ? { shown: { label: shownArm.arm.label, mean: shownArm.mean } } : {}),
  };
  const values = shownArm ? shownArm.mean : (change?.delta ?? []);
  if (!change && !shownArm) {
    return (
      <EmptyState>
        <p>
          The change needs at least two seeds in both arms (a variance per cell); pick an arm's
          accuracy to see its matrix.
        </p>
      </EmptyState>
    );
  }
  const heading = shownArm
    ? `Accuracy of ${shownArm.arm.label} per class and ${matrix.attributes.join(' × ')} group`
    : `Accuracy change ${change?.from.label} → ${change?.to.label} per class and ${matrix.attributes.join(' × ')} group`;
  return (
    <>
      {change && (
        <p className="hint" data-testid="class-groups-hint">
          Accuracy of each class within each group, mean over seeds. {change.significantCount} of{' '}
          {change.testedCount} tested cells changed significantly from {change.from.label} to{' '}
          {change.to.label} (Welch test over seeds, Holm-adjusted); intervals are{' '}
          {Math.round(matrix.confidence * 100)}% Welch intervals of the change. Red cells lost
          accuracy, blue gained; hover a cell for its numbers.
        </p>
      )}
      <ClassGroupHeatmapChart
        classNames={matrix.classNames}
        groups={matrix.groups}
        values={values}
        tooltip={tooltip}
        kind={shownArm ? 'accuracy' : 'change'}
        title={heading}
        description="One row per class, one column per group; the colour is the value, the tooltip and the table below give the numbers."
        fileName={`${fileStem}-heatmap`}
      />
      {change && (
        <WorstCellsTable
          cells={change.worst}
          confidence={matrix.confidence}
          fileName={`${fileStem}-worst-cells.csv`}
        />
      )}
      <MatrixTable
        classNames={matrix.classNames}
        groups={matrix.groups}
        values={values}
        kind={shownArm ? 'accuracy' : 'change'}
        heading={heading}
      />
    </>
  );
}

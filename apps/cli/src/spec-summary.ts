/** The one-screen summary `kdlens spec validate` prints for a valid spec. */
import type { ExperimentSpec, ModelSpec, PlannedUnit } from '@kdlens/core';

function model(m: ModelSpec): string {
  const schedule =
    m.schedule.name === 'step'
      ? `×${m.schedule.gamma} at ${m.scheduleUnit}s ${m.schedule.milestones.join(', ')}`
      : m.schedule.name;
  return `${m.architecture}: ${m.epochs} epochs, batch ${m.batchSize}, ${m.optimizer.name} lr ${m.learningRate}, ${schedule}${m.pretrained ? `, from ${m.pretrained}` : ''}`;
}

function dataset(spec: ExperimentSpec): string {
  const d = spec.dataset;
  const parts: string[] = [d.name];
  if (d.root) parts.push(`root ${d.root}`);
  if (d.label) parts.push(`label ${d.label}`);
  parts.push(`sensitive ${d.sensitive.length ? d.sensitive.join(', ') : 'none'}`);
  if (d.imageSize) parts.push(`${d.imageSize} px`);
  if (d.generator) {
    const g = d.generator;
    parts.push(
      `generated ${g.trainCount} + ${g.testCount} images, shape–colour correlation ${g.correlation}`,
    );
  }
  if (d.subset)
    parts.push(`subset ${d.subset.train ?? 'all'} train / ${d.subset.test ?? 'all'} test`);
  if (d.validationSplit > 0) parts.push(`validation ${Math.round(d.validationSplit * 100)} %`);
  return parts.join(', ');
}

/** The summary as labelled rows (`kdlens experiments show` prints them for a stored spec). */
export function specSummaryRows(
  spec: ExperimentSpec,
  units: readonly PlannedUnit[],
): [string, string][] {
  const count = (role: PlannedUnit['role']) => units.filter((u) => u.role === role).length;
  return [
    ['name', spec.description ? `${spec.name} (${spec.description})` : spec.name],
    ['dataset', dataset(spec)],
    ['teacher', model(spec.teacher)],
    ['student', model(spec.student)],
    ['KD', `α ${spec.kd.alpha}, T = ${spec.kd.temperatures.join(', ')}`],
    ['seeds', spec.seeds.join(', ')],
    [
      'units',
      `${units.length}: ${count('teacher')} teachers, ${count('student')} students, ${count('distilled')} distilled (${spec.seeds.length} seeds × ${spec.kd.temperatures.length} temperatures)`,
    ],
    ['backend', spec.backend],
  ];
}

export function formatSpecSummary(
  spec: ExperimentSpec,
  units: readonly PlannedUnit[],
  source: string,
): string {
  const rows = specSummaryRows(spec, units);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${source}: valid\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

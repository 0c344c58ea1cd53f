'use server';

import { redirect } from 'next/navigation';
import { ApiError, request } from '@/lib/graphql.ts';
import { graphql } from '@/lib/graphql-document.ts';
import {
  type FieldErrors,
  fieldErrors,
  fieldOfSpecPath,
  launchFieldsSchema,
} from '@/lib/launch-fields.ts';
import { type BaseSpec, loadSpecSource } from '@/lib/presets.ts';

export interface LaunchState {
  fields: FieldErrors;
  /** Problems that belong to no single field, or the API's refusal, in words. */
  general: string[];
}

const LaunchMutation = graphql(`
  mutation Launch($spec: JSON!) {
    launchExperiment(input: { spec: $spec }) {
      experiment {
        id
      }
    }
  }
`);

/**
 * Checks the fields (again: the browser already did), builds the spec from the chosen preset
 * with the fields applied and asks the API to launch it. The API checks the whole spec with the
 * schema `kdlens run` uses; its problems come back by spec path and land beside their fields.
 * On success the user lands on the experiment's live runs.
 */
export async function launch(_previous: LaunchState, form: FormData): Promise<LaunchState> {
  const fields = launchFieldsSchema.safeParse(Object.fromEntries(form));
  if (!fields.success) return { fields: fieldErrors(fields.error), general: [] };
  const f = fields.data;
  let found: Awaited<ReturnType<typeof loadSpecSource>>;
  try {
    found = await loadSpecSource(f.preset);
  } catch (error) {
    if (error instanceof ApiError) return { fields: {}, general: [error.message] };
    throw error;
  }
  if (!found) return { fields: { preset: `"${f.preset}" is no longer available` }, general: [] };
  const preset = found.spec;
  const spec = {
    ...preset,
    name: f.name,
    dataset: { ...preset.dataset, name: f.dataset },
    teacher: withArchitecture(preset.teacher, f.teacherArchitecture, f.teacherEpochs),
    student: withArchitecture(preset.student, f.studentArchitecture, f.studentEpochs),
    kd: { ...preset.kd, temperatures: f.temperatures },
    seeds: f.seeds,
  };
  let experimentId: string;
  try {
    const data = await request(LaunchMutation, { spec });
    experimentId = data.launchExperiment.experiment.id;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.problems.length > 0) return mapProblems(error.problems);
    return { fields: {}, general: [error.message] };
  }
  redirect(`/experiments/${experimentId}/runs`);
}

function mapProblems(problems: { path: string; message: string }[]): LaunchState {
  const state: LaunchState = { fields: {}, general: [] };
  for (const p of problems) {
    const field = fieldOfSpecPath(p.path);
    if (field && state.fields[field] === undefined) state.fields[field] = `${p.path}: ${p.message}`;
    else state.general.push(p.path ? `${p.path}: ${p.message}` : p.message);
  }
  return state;
}

/**
 * The preset's arm with the chosen architecture and epochs. Architecture options (an MLP's
 * widths, the reference CNN's `width`) belong to the preset's architecture, so they stay only
 * while it does: another architecture would refuse them.
 */
function withArchitecture(
  arm: BaseSpec['teacher'],
  architecture: string,
  epochs: number,
): BaseSpec['teacher'] {
  if (architecture === arm.architecture) return { ...arm, epochs };
  const { options: _options, ...rest } = arm;
  return { ...rest, architecture, epochs };
}

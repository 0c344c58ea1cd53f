import { armLabel } from '@kdlens/core';
import type { ArmKey, ArmSummary } from '@kdlens/metrics';
import type { ApiContext } from '../context.ts';
import {
  type ExperimentRefArgs,
  experimentRefArguments,
} from '../experiment/experiment-ref.args.ts';
import { describeRef, experimentRef, findExperimentByRef } from '../experiment/experiment-ref.ts';
import { badArgument, notFound } from '../experiment/lookup-errors.ts';
import type { ArmType } from './arm.type.ts';
import { toEstimateType } from './estimate.type.ts';
import { armKeyOf, type CachedArm, type StudyData } from './study-cache.ts';

/**
 * The study data of the experiment the arguments name (experimentId or experimentName, exactly
 * one), or NOT_FOUND / BAD_USER_INPUT. A name costs one statement more: it is looked up first.
 */
export async function studyOf(ctx: ApiContext, args: ExperimentRefArgs): Promise<StudyData> {
  const ref = experimentRef(args.experimentId, args.experimentName, experimentRefArguments);
  const id = 'id' in ref ? ref.id : (await findExperimentByRef(ctx.db, ref))?.id;
  const study = id === undefined ? undefined : await ctx.studies.get(id, ctx.freshAfter);
  if (!study) throw notFound(`no experiment has ${describeRef(ref)}`);
  return study;
}

/** An arm that has results from at least `minRuns` seeds, or BAD_USER_INPUT saying which do. */
export function armOf(study: StudyData, key: ArmKey, argument: string, minRuns = 1): CachedArm {
  const arm = study.arm(key);
  const available = study.arms.map((a) => `${a.label} (${a.runs.length} seeds)`).join(', ');
  if (!arm) {
    throw badArgument(
      `${argument}: the experiment has no results for ${armLabel(key)}; ` +
        (available ? `arms with results: ${available}` : 'no run has results yet'),
      argument,
    );
  }
  if (arm.runs.length < minRuns) {
    throw badArgument(
      `${argument}: ${arm.label} has results from ${arm.runs.length} seed(s); the test needs at least ${minRuns}`,
      argument,
    );
  }
  return arm;
}

export function armFromSummary(arm: ArmSummary): ArmType {
  return {
    role: arm.role,
    temperature: arm.temperature,
    label: armLabel(arm),
    seeds: arm.seeds,
    accuracy: toEstimateType(arm.accuracy),
  };
}

/** The arm as the API shows it: seeds with results, accuracy from the stored summary. */
export function armType(study: StudyData, key: ArmKey): ArmType {
  const summarised = study.summary?.summary.arms.find((a) => armKeyOf(a) === armKeyOf(key));
  const cached = study.arm(key);
  return {
    role: key.role,
    temperature: key.temperature,
    label: armLabel(key),
    seeds: cached ? cached.runs.map((r) => r.seed) : (summarised?.seeds ?? []),
    accuracy: summarised ? toEstimateType(summarised.accuracy) : null,
  };
}

import { armLabel } from '@kdlens/core';
import { findExperimentsByIds } from '@kdlens/core/db';
import {
  type ClassDelta,
  compareExperiments,
  ExperimentComparisonError,
  loadComparedStudies,
  MAX_COMPARED_EXPERIMENTS,
} from '@kdlens/core/results';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import type { ExperimentType } from '../experiment/experiment.type.ts';
import { describeRef, experimentRef, findExperimentByRef } from '../experiment/experiment-ref.ts';
import { badArgument, notFound } from '../experiment/lookup-errors.ts';
import { parseAlpha } from './arm.input.ts';
import { CompareExperimentsArgs } from './compare-experiments.args.ts';
import { type ClassDeltaType, ExperimentComparisonType } from './compare-experiments.type.ts';
import { finiteOrNull, toEstimateType } from './estimate.type.ts';
import { armFromSummary } from './study-access.ts';

/** The most classes of each delta's worst list (the answer holds up to 8 fields per class per delta). */
export const MAX_WORST = 1_000;
const column = (values: number[]) => values.map(finiteOrNull);

/** The experiments the refs name, in order: NOT_FOUND or BAD_USER_INPUT naming `experiments[i]`. */
async function experimentsOf(
  ctx: ApiContext,
  args: CompareExperimentsArgs,
): Promise<ExperimentType[]> {
  const refs = args.experiments.map((r, i) =>
    experimentRef(r.id, r.name, [`experiments[${i}].id`, `experiments[${i}].name`]),
  );
  // Ids in one statement; names (unique) one each.
  const ids = refs.flatMap((r) => ('id' in r ? [r.id] : []));
  const byId = new Map((await findExperimentsByIds(ctx.db, ids)).map((e) => [e.id, e]));
  return Promise.all(
    refs.map(async (ref, i) => {
      const found = 'id' in ref ? byId.get(ref.id) : await findExperimentByRef(ctx.db, ref);
      if (!found) throw notFound(`experiments[${i}]: no experiment has ${describeRef(ref)}`);
      return found;
    }),
  );
}

function classDeltaType(d: ClassDelta, classNames: string[], worstLimit: number): ClassDeltaType {
  const rows = d.comparison.perClass;
  return {
    referenceId: d.referenceId,
    experimentId: d.experimentId,
    role: d.arm.role,
    temperature: d.arm.temperature,
    label: d.arm.label,
    referenceSeeds: d.referenceSeeds,
    seeds: d.seeds,
    accuracyReference: column(rows.map((r) => r.meanA)),
    accuracy: column(rows.map((r) => r.meanB)),
    delta: column(rows.map((r) => r.delta)),
    p: column(rows.map((r) => r.pValue)),
    adjustedP: column(rows.map((r) => r.pAdjusted)),
    significantCount: d.comparison.significantCount,
    testedCount: d.comparison.testedCount,
    worst: Array.from(d.worst.subarray(0, worstLimit), (c) => {
      const r = rows[c];
      return {
        classIndex: c,
        className: classNames[c] ?? String(c),
        accuracyReference: finiteOrNull(r?.meanA ?? Number.NaN),
        accuracy: finiteOrNull(r?.meanB ?? Number.NaN),
        delta: finiteOrNull(r?.delta ?? Number.NaN),
        p: finiteOrNull(r?.pValue ?? Number.NaN),
        adjustedP: finiteOrNull(r?.pAdjusted ?? Number.NaN),
        significant: r?.significant === true,
      };
    }),
  };
}

@Resolver(() => ExperimentComparisonType)
export class CompareExperimentsResolver {
  @Query(() => ExperimentComparisonType, {
    description:
      "Two to eight experiments on the same test set side by side: each one's accuracy per arm, SC/TC per temperature and DPD/EOD per attribute from its stored study summary, and every further experiment's per-class accuracy delta against the first for each arm both have. BAD_USER_INPUT naming the experiment when one is on a different test set.",
  })
  async compareExperiments(
    @Ctx() ctx: ApiContext,
    @Args(() => CompareExperimentsArgs) args: CompareExperimentsArgs,
  ): Promise<ExperimentComparisonType> {
    const { correction, worstLimit } = args;
    const alpha = parseAlpha(args.alpha);
    const n = args.experiments.length;
    // Bounded before any lookup: each experiment costs three statements and a column per arm.
    if (n < 2 || n > MAX_COMPARED_EXPERIMENTS) {
      throw badArgument(
        `experiments: give 2 to ${MAX_COMPARED_EXPERIMENTS} experiments, got ${n}`,
        'experiments',
      );
    }
    if (!(Number.isInteger(worstLimit) && worstLimit >= 0 && worstLimit <= MAX_WORST)) {
      throw badArgument(
        `worstLimit: must be an integer in [0, ${MAX_WORST}], got ${worstLimit}`,
        'worstLimit',
      );
    }
    const experiments = await experimentsOf(ctx, args);
    let comparison: ReturnType<typeof compareExperiments>;
    try {
      const studies = await loadComparedStudies(
        ctx.db,
        experiments.map((e) => e.id),
      );
      comparison = compareExperiments(studies, { alpha, correction });
    } catch (error) {
      // A different test set, a repeat, no test set: the caller chose the experiments.
      if (error instanceof ExperimentComparisonError)
        throw badArgument(error.message, 'experiments');
      throw error;
    }
    const { testSet } = comparison;
    return {
      testSetDigest: testSet.digest,
      examples: testSet.examples,
      classNames: testSet.classNames,
      correction,
      alpha,
      experiments: comparison.experiments.map((c, i) => ({
        experiment: experiments[i] as ExperimentType,
        stale: c.stale,
        summarized: c.alpha !== null,
        alpha: c.alpha,
        statistic: c.statistic,
        arms: c.arms.map(armFromSummary),
        accuracyDelta: c.accuracyDelta,
        significance: c.significance.map((s) => ({
          temperature: s.temperature,
          sc: s.sc,
          tc: s.tc,
        })),
        groupFairness: c.groupFairness.map((g) => ({
          attribute: g.attribute,
          groups: g.groups.map(String),
          arms: g.arms.map((a) => {
            const summarised = c.arms.find(
              (x) => x.role === a.role && x.temperature === a.temperature,
            );
            return {
              arm: summarised
                ? armFromSummary(summarised)
                : {
                    role: a.role,
                    temperature: a.temperature,
                    label: armLabel(a),
                    seeds: [],
                    accuracy: null,
                  },
              dpd: toEstimateType(a.dpd),
              eod: toEstimateType(a.eod),
            };
          }),
        })),
      })),
      classDeltas: comparison.classDeltas.map((d) =>
        classDeltaType(d, testSet.classNames, worstLimit),
      ),
    };
  }
}

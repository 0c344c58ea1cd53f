import { specLimits } from '@kdlens/core';
import { readPredictedLabels, readTestLabels } from '@kdlens/core/db';
import { type ArmDisagreement, armDisagreement, armDisagreementOverall } from '@kdlens/metrics';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { ExperimentRefArgs } from '../experiment/experiment-ref.args.ts';
import { badArgument } from '../experiment/lookup-errors.ts';
import { parseArm } from './arm.input.ts';
import { ArmPairArgs } from './disagreement.args.ts';
import { DisagreementPairType, DisagreementType } from './disagreement.type.ts';
import { finiteOrNull, toEstimateType } from './estimate.type.ts';
import { armOf, armType, studyOf } from './study-access.ts';
import { armKeyOf, type CachedArm, type StudyData } from './study-cache.ts';

/** Run i of a meets the run of b with the same seed: same data order, same initialisation stream. */
function seedPairs(a: CachedArm, b: CachedArm) {
  return a.runs.flatMap((ra) => {
    const rb = b.runs.find((r) => r.seed === ra.seed);
    return rb ? [{ seed: ra.seed, a: ra.runId, b: rb.runId }] : [];
  });
}

/**
 * The most arms disagreementPairs answers for: teacher, NDS and the spec's most temperatures, so
 * at most 561 pairs (root-field-cost.ts prices that many).
 */
export const MAX_PAIR_ARMS = 2 + specLimits.temperatures;

interface Predictions {
  yTrue: Int32Array;
  predicted: Map<string, Int32Array>;
}

/** Every stored prediction of these arms and the labels: two queries whatever the seeds. */
async function readPredictions(
  ctx: ApiContext,
  study: StudyData,
  args: ExperimentRefArgs,
  arms: readonly CachedArm[],
): Promise<Predictions> {
  const runIds = [...new Set(arms.flatMap((arm) => arm.runs.map((r) => r.runId)))].sort();
  const [yTrue, predicted] = await Promise.all([
    readTestLabels(ctx.db, study.experimentId),
    readPredictedLabels(ctx.db, runIds),
  ]);
  if (!yTrue) {
    const argument = args.experimentName == null ? 'experimentId' : 'experimentName';
    throw badArgument(`${argument}: the experiment has no test set`, argument);
  }
  return { yTrue, predicted };
}

/** Once per results version and choice of runs. */
function predictionsOf(
  ctx: ApiContext,
  study: StudyData,
  args: ExperimentRefArgs,
  arms: readonly CachedArm[],
): Promise<Predictions> {
  const runIds = [...new Set(arms.flatMap((arm) => arm.runs.map((r) => r.runId)))].sort();
  return study.memo(`disagreement-predictions|${runIds.join(',')}`, () =>
    readPredictions(ctx, study, args, arms),
  );
}

/** The paired runs' predicted labels, seed by seed. */
function labelPairs(pairs: ReturnType<typeof seedPairs>, data: Predictions) {
  return pairs.map((pair) => {
    const yA = data.predicted.get(pair.a);
    const yB = data.predicted.get(pair.b);
    if (!yA || !yB) throw new Error(`run predictions vanished while reading seed ${pair.seed}`);
    return { a: yA, b: yB };
  });
}

function compute(
  study: StudyData,
  a: CachedArm,
  b: CachedArm,
  pairs: ReturnType<typeof seedPairs>,
  data: Predictions,
): ArmDisagreement {
  return study.memo(`disagreement|${armKeyOf(a)}|${armKeyOf(b)}`, () =>
    armDisagreement(
      labelPairs(pairs, data),
      data.yTrue,
      study.numClasses,
      // The summary's bootstrap, so these intervals are drawn like the study's others.
      study.summary?.options.bootstrap ?? {},
    ),
  );
}

@Resolver(() => DisagreementType)
export class DisagreementResolver {
  @Query(() => DisagreementType, {
    description:
      'Per class, how often arms a and b predict differently on the same test examples, seed by seed, with bootstrap CIs over the common seeds.',
  })
  async disagreement(
    @Ctx() ctx: ApiContext,
    @Args(() => ArmPairArgs) args: ArmPairArgs,
  ): Promise<DisagreementType> {
    const { a, b } = args;
    const keyA = parseArm(a, 'a');
    const keyB = parseArm(b, 'b');
    const study = await studyOf(ctx, args);
    const armA = armOf(study, keyA, 'a');
    const armB = armOf(study, keyB, 'b');
    const pairs = seedPairs(armA, armB);
    if (pairs.length === 0) {
      throw badArgument(
        `b: ${armA.label} (seeds ${armA.runs.map((r) => r.seed).join(', ')}) and ${armB.label} (seeds ${armB.runs
          .map((r) => r.seed)
          .join(', ')}) have no seed in common`,
        'b',
      );
    }
    const data = await predictionsOf(ctx, study, args, [armA, armB]);
    const d = compute(study, armA, armB, pairs, data);
    return {
      a: armType(study, keyA),
      b: armType(study, keyB),
      seeds: pairs.map((p) => p.seed),
      overall: finiteOrNull(d.overall.mean),
      overallEstimate: toEstimateType(d.overall),
      rows: d.perClass.map((estimate, c) => ({
        classIndex: c,
        className: study.classNames[c] ?? String(c),
        examples: d.examples[c] as number,
        disagreement: finiteOrNull(estimate.mean),
        estimate: toEstimateType(estimate),
      })),
    };
  }

  @Query(() => [DisagreementPairType], {
    description:
      'Every pair of arms with a seed in common (teacher, NDS, then distilled by ascending T), and how often they predict differently overall, with bootstrap CIs over the common seeds.',
  })
  async disagreementPairs(
    @Ctx() ctx: ApiContext,
    @Args(() => ExperimentRefArgs) args: ExperimentRefArgs,
  ): Promise<DisagreementPairType[]> {
    const study = await studyOf(ctx, args);
    if (study.arms.length > MAX_PAIR_ARMS) {
      const argument = args.experimentName == null ? 'experimentId' : 'experimentName';
      throw badArgument(
        `${argument}: the experiment has ${study.arms.length} arms; disagreementPairs answers at most ${MAX_PAIR_ARMS} (ask disagreement for a pair)`,
        argument,
      );
    }
    // One memo entry for the whole answer per results version: a memo per pair (up to 561) would
    // overrun StudyData's bound and recompute on every call. The predictions are read inside and
    // dropped once the small answer is built.
    return study.memo('disagreement-pairs', async () => {
      const paired = study.arms
        .flatMap((a, i) => study.arms.slice(i + 1).map((b) => ({ a, b, pairs: seedPairs(a, b) })))
        .filter((c) => c.pairs.length > 0);
      if (paired.length === 0) return [];
      const data = await readPredictions(ctx, study, args, study.arms);
      const bootstrap = study.summary?.options.bootstrap ?? {};
      return paired.map(({ a, b, pairs }) => ({
        a: armType(study, a),
        b: armType(study, b),
        seeds: pairs.map((p) => p.seed),
        // Only the overall figure is asked for: one pass per pair, one bootstrap, no class.
        overall: toEstimateType(
          armDisagreementOverall(labelPairs(pairs, data), data.yTrue.length, bootstrap),
        ),
      }));
    });
  }
}

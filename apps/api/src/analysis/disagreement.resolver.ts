import { readPredictedLabels, readTestLabels } from '@kdlens/core/db';
import { accuracy, disagreement } from '@kdlens/metrics';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badArgument } from '../experiment/lookup-errors.ts';
import { parseArm } from './arm.input.ts';
import { ArmPairArgs } from './disagreement.args.ts';
import { DisagreementType } from './disagreement.type.ts';
import { finiteOrNull } from './estimate.type.ts';
import { armOf, armType, studyOf } from './study-access.ts';

@Resolver(() => DisagreementType)
export class DisagreementResolver {
  @Query(() => DisagreementType, {
    description:
      'Per class, how often arms a and b predict differently on the same test examples, seed by seed.',
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
    // Same seed, same data order and initialisation stream: the pairing the paper compares.
    const pairs = armA.runs.flatMap((ra) => {
      const rb = armB.runs.find((r) => r.seed === ra.seed);
      return rb ? [{ seed: ra.seed, a: ra.runId, b: rb.runId }] : [];
    });
    if (pairs.length === 0) {
      throw badArgument(
        `b: ${armA.label} (seeds ${armA.runs.map((r) => r.seed).join(', ')}) and ${armB.label} (seeds ${armB.runs
          .map((r) => r.seed)
          .join(', ')}) have no seed in common`,
        'b',
      );
    }
    const runIds = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
    // Two queries whatever the number of seeds: the labels, then every needed run's predictions.
    const [yTrue, predicted] = await Promise.all([
      readTestLabels(ctx.db, study.experimentId),
      readPredictedLabels(ctx.db, runIds),
    ]);
    if (!yTrue) {
      const argument = args.experimentName == null ? 'experimentId' : 'experimentName';
      throw badArgument(`${argument}: the experiment has no test set`, argument);
    }
    const sums = new Float64Array(study.numClasses);
    let overall = 0;
    for (const pair of pairs) {
      const yA = predicted.get(pair.a);
      const yB = predicted.get(pair.b);
      if (!yA || !yB) throw new Error(`run predictions vanished while reading seed ${pair.seed}`);
      const perClass = disagreement(yA, yB, yTrue, study.numClasses);
      for (let c = 0; c < perClass.length; c++)
        sums[c] = (sums[c] as number) + (perClass[c] as number);
      // 1 − agreement, with b's predictions scored against a's as if they were labels.
      overall += 1 - accuracy(yA, yB);
    }
    return {
      a: armType(study, keyA),
      b: armType(study, keyB),
      seeds: pairs.map((p) => p.seed),
      overall: finiteOrNull(overall / pairs.length),
      rows: Array.from(sums, (sum, c) => ({
        classIndex: c,
        className: study.classNames[c] ?? String(c),
        disagreement: finiteOrNull(sum / pairs.length),
      })),
    };
  }
}

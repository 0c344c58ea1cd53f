import {
  readRunGroupMetrics,
  type StoredGroupMetrics,
  storedGroupMetricsSchema,
} from '@kdlens/core/db';
import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { badArgument } from '../experiment/lookup-errors.ts';
import { finiteOrNull, toEstimateType } from './estimate.type.ts';
import { GroupFairnessArgs } from './group-fairness.args.ts';
import { GroupFairnessType, type GroupRowType } from './group-fairness.type.ts';
import { armType, studyOf } from './study-access.ts';
import type { StudyData } from './study-cache.ts';

interface AttributeRows {
  posLabel: number | null;
  groups: string[];
  byRun: Map<string, StoredGroupMetrics>;
}

/** Every run's stored groupMetrics for the attribute, in one query, once per results version. */
function attributeRows(
  ctx: ApiContext,
  study: StudyData,
  attribute: string,
): Promise<AttributeRows> {
  return study.memo(`groups|${attribute}`, async () => {
    const runIds = study.arms.flatMap((a) => a.runs.map((r) => r.runId));
    const rows = await readRunGroupMetrics(ctx.db, attribute, runIds);
    const byRun = new Map<string, StoredGroupMetrics>();
    for (const row of rows) byRun.set(row.runId, storedGroupMetricsSchema.parse(row.metrics));
    const first = rows[0];
    return {
      posLabel: first?.posLabel ?? null,
      groups: first ? (byRun.get(first.runId)?.byGroup.map((g) => String(g.group)) ?? []) : [],
      byRun,
    };
  });
}

const meanOf = (values: (number | null)[]) => {
  // A seed without the value makes the mean undefined, as NaN would in @kdlens/metrics.
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return finiteOrNull((values as number[]).reduce((s, v) => s + v, 0) / values.length);
};

@Resolver(() => GroupFairnessType)
export class GroupFairnessResolver {
  @Query(() => GroupFairnessType, {
    description:
      "Per arm DPD and EOD with bootstrap CIs (stored study summary) and per group count, accuracy, selection rate, TPR, FPR (stored groupMetrics, mean over seeds): the paper's Table 2.",
  })
  async groupFairness(
    @Ctx() ctx: ApiContext,
    @Args(() => GroupFairnessArgs) args: GroupFairnessArgs,
  ): Promise<GroupFairnessType> {
    const { attribute } = args;
    const study = await studyOf(ctx, args);
    if (!study.attributes.includes(attribute)) {
      throw badArgument(
        `attribute: the test set has no sensitive attribute "${attribute}"; it has ${
          study.attributes.length ? study.attributes.map((a) => `"${a}"`).join(', ') : 'none'
        }`,
        'attribute',
      );
    }
    const stored = await attributeRows(ctx, study, attribute);
    const fairness = study.summary?.summary.groupFairness.find((g) => g.attribute === attribute);
    const arms = (fairness?.arms ?? []).map((summarised) => {
      const arm = study.arm(summarised);
      const perRun = (arm?.runs ?? []).flatMap((r) => {
        const m = stored.byRun.get(r.runId);
        return m ? [m] : [];
      });
      const groups: GroupRowType[] = stored.groups.map((group, g) => {
        const at = perRun.map((m) => m.byGroup[g]);
        const pick = (f: (s: StoredGroupMetrics['byGroup'][number]) => number | null) =>
          meanOf(at.map((s) => (s ? f(s) : null)));
        return {
          group,
          count: at[0]?.count ?? 0,
          accuracy: pick((s) => s.accuracy),
          selectionRate: pick((s) => s.selectionRate),
          truePositiveRate: pick((s) => s.tpr),
          falsePositiveRate: pick((s) => s.fpr),
        };
      });
      return {
        arm: armType(study, summarised),
        dpd: toEstimateType(summarised.dpd),
        eod: toEstimateType(summarised.eod),
        groups,
      };
    });
    return {
      attribute,
      groups: fairness ? fairness.groups.map(String) : stored.groups,
      posLabel: stored.posLabel,
      stale: study.summary?.stale ?? true,
      arms,
    };
  }
}

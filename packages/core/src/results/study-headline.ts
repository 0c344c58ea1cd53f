import type { StudySummary } from '@kdlens/metrics';
import type { StudyHeadline } from '../db/queries/study-summaries.ts';

/**
 * The numbers the experiments list shows and sorts by, taken from a study summary (nothing is
 * recomputed): the teacher's and the NDS's mean accuracy; the distilled arm with the highest
 * mean accuracy and its T (the lowest T on a tie); the largest mean DPD of any arm on any
 * sensitive attribute, with that attribute (the first in the summary's order on a tie). NaN
 * means (an undefined DPD, say) are skipped; a value with nothing to take is null. Migration
 * 0005 fills the columns of older summaries by the same rules in SQL.
 */
export function studyHeadline(summary: StudySummary): StudyHeadline {
  const mean = (role: 'teacher' | 'student') => {
    const arm = summary.arms.find((a) => a.role === role && !Number.isNaN(a.accuracy.mean));
    return arm ? arm.accuracy.mean : null;
  };
  let best: { accuracy: number; temperature: number | null } | null = null;
  for (const arm of summary.arms) {
    if (arm.role !== 'distilled' || Number.isNaN(arm.accuracy.mean)) continue;
    const t = arm.temperature ?? Number.POSITIVE_INFINITY;
    const bestT = best?.temperature ?? Number.POSITIVE_INFINITY;
    if (
      !best ||
      arm.accuracy.mean > best.accuracy ||
      (arm.accuracy.mean === best.accuracy && t < bestT)
    ) {
      best = { accuracy: arm.accuracy.mean, temperature: arm.temperature };
    }
  }
  let dpd: { value: number; attribute: string } | null = null;
  for (const attribute of summary.groupFairness) {
    for (const arm of attribute.arms) {
      if (Number.isNaN(arm.dpd.mean)) continue;
      if (!dpd || arm.dpd.mean > dpd.value)
        dpd = { value: arm.dpd.mean, attribute: attribute.attribute };
    }
  }
  return {
    teacherAccuracy: mean('teacher'),
    ndsAccuracy: mean('student'),
    bestDistilledAccuracy: best?.accuracy ?? null,
    bestDistilledTemperature: best?.temperature ?? null,
    maxDpd: dpd?.value ?? null,
    maxDpdAttribute: dpd?.attribute ?? null,
  };
}

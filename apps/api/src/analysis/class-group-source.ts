import {
  type ClassGroupStudy,
  GroupAttributesError,
  loadClassGroupStudy,
} from '@kdlens/core/results';
import type { ApiContext } from '../context.ts';
import { badArgument } from '../experiment/lookup-errors.ts';
import type { StudyData } from './study-cache.ts';

/** The attributes as given, checked against the test set's, or BAD_USER_INPUT naming them. */
export function checkAttributes(study: StudyData, attributes: readonly string[]): string[] {
  const has = study.attributes.length ? study.attributes.map((a) => `"${a}"`).join(', ') : 'none';
  if (attributes.length === 0) {
    throw badArgument(`attributes: name at least one; the test set has ${has}`, 'attributes');
  }
  for (const a of attributes) {
    if (!study.attributes.includes(a)) {
      throw badArgument(
        `attributes: the test set has no sensitive attribute "${a}"; it has ${has}`,
        'attributes',
      );
    }
  }
  if (new Set(attributes).size !== attributes.length) {
    throw badArgument('attributes: an attribute is named twice', 'attributes');
  }
  return [...attributes];
}

/**
 * Every run's class × group counts for the attributes taken jointly, read from the stored test
 * set and predictions once per results version (memoised on the study data, like the stored
 * group metrics of groupFairness).
 */
export async function classGroupStudyOf(
  ctx: ApiContext,
  study: StudyData,
  attributes: readonly string[],
): Promise<ClassGroupStudy> {
  const loaded = await study.memo(`class-groups|${JSON.stringify(attributes)}`, async () => {
    try {
      return await loadClassGroupStudy(ctx.db, study.experimentId, attributes);
    } catch (error) {
      // Too many groups in the product: the caller chose the attributes, so it is theirs to fix.
      if (error instanceof GroupAttributesError) throw badArgument(error.message, 'attributes');
      throw error;
    }
  });
  if (!loaded) throw badArgument('experimentId: the experiment has no test set', 'experimentId');
  return loaded;
}

/** How a group is shown: its attribute values joined by " × " (e.g. "F × young"). */
export const groupLabel = (values: readonly (string | number)[]) => values.map(String).join(' × ');

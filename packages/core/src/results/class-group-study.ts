import {
  type ArmKey,
  type ClassGroupCounts,
  classGroupCounts,
  type IntersectionGroup,
  type IntersectionIndex,
  intersectionIndex,
  MetricsInputError,
  type Sensitive,
} from '@kdlens/metrics';
import type { Executor } from '../db/queries/executor.ts';
import { readExperimentPredictions } from '../db/queries/run-results.ts';
import type { RunRole } from '../domain/run.ts';
import { KdlensError } from '../errors.ts';
import { armLabel } from '../report/arm-label.ts';
import { loadTestSet } from './test-set.ts';

/** A sensitive-attribute choice that this test set cannot answer; names what it has. */
export class GroupAttributesError extends KdlensError {
  override readonly name = 'GroupAttributesError';
}

/** One run's counts per (class, group) of the chosen attributes. */
export interface ClassGroupRun {
  runId: string;
  seed: number;
  counts: ClassGroupCounts;
}

/** An arm's runs with predictions, sorted by seed as summarizeStudy sorts them. */
export interface ClassGroupArm extends ArmKey {
  label: string;
  runs: ClassGroupRun[];
}

/**
 * A study seen through one choice of sensitive attributes taken jointly (one attribute, or an
 * intersection such as sex × age): every run's class × group counts, from which every
 * one-vs-rest group rate and every (class, group) accuracy is a ratio.
 */
export interface ClassGroupStudy {
  numClasses: number;
  classNames: string[];
  attributes: readonly string[];
  /** Every combination of the attributes' values, first attribute varying slowest. */
  groups: readonly IntersectionGroup[];
  /** Test examples per group (0 for a combination no example has). */
  groupCounts: Float64Array;
  /** Teacher, NDS, distilled by ascending temperature; only arms with predictions. */
  arms: ClassGroupArm[];
}

const roleOrder: Record<RunRole, number> = { teacher: 0, student: 1, distilled: 2 };

/**
 * The most (class, group) cells a class × group study may have: 1000 classes × 100 groups. Each
 * run keeps three counts per cell, and an answer lists about forty values per cell.
 */
export const MAX_CLASS_GROUP_CELLS = 100_000;

/**
 * Reads the experiment's test set and every run's stored predictions (three statements) and
 * counts each run per (class, group) of `attributes` taken jointly, factorising the attributes
 * once. Undefined when the experiment has no test set. GroupAttributesError when an attribute is
 * not one of the test set's, is named twice, or the intersection has too many groups or cells.
 */
export async function loadClassGroupStudy(
  db: Executor,
  experimentId: string,
  attributes: readonly string[],
): Promise<ClassGroupStudy | undefined> {
  const testSet = await loadTestSet(db, experimentId);
  if (!testSet) return undefined;
  const sensitive: Record<string, Sensitive> = {};
  for (const [name, index] of Object.entries(testSet.sensitive)) {
    // The original values, so groups are named as the data set names them.
    sensitive[name] = Array.from(index.codes, (c) => index.groups[c] as string | number);
  }
  const index = intersectionOf(sensitive, attributes);
  const cells = testSet.numClasses * index.groups.length;
  if (cells > MAX_CLASS_GROUP_CELLS) {
    // Every run holds counts per cell and an answer lists several values per cell: bounded
    // before the predictions are read, whoever asks.
    throw new GroupAttributesError(
      `attributes: ${testSet.numClasses} classes × ${index.groups.length} groups is ${cells} cells, more than ${MAX_CLASS_GROUP_CELLS}; take fewer attributes jointly`,
    );
  }
  const rows = await readExperimentPredictions(db, experimentId);
  const byArm = new Map<string, ClassGroupArm>();
  for (const row of rows) {
    const key: ArmKey = { role: row.role, temperature: row.temperature };
    const id = `${key.role}:${key.temperature ?? ''}`;
    let arm = byArm.get(id);
    if (!arm) {
      arm = { ...key, label: armLabel(key), runs: [] };
      byArm.set(id, arm);
    }
    arm.runs.push({
      runId: row.runId,
      seed: row.seed,
      counts: classGroupCounts(testSet.labels, row.predicted, index, testSet.numClasses),
    });
  }
  const arms = [...byArm.values()].sort(
    (a, b) => roleOrder[a.role] - roleOrder[b.role] || (a.temperature ?? 0) - (b.temperature ?? 0),
  );
  for (const arm of arms) arm.runs.sort((a, b) => a.seed - b.seed);
  return {
    numClasses: testSet.numClasses,
    classNames: testSet.classNames,
    attributes: index.attributes,
    groups: index.groups,
    groupCounts: index.counts,
    arms,
  };
}

function intersectionOf(
  sensitive: Record<string, Sensitive>,
  attributes: readonly string[],
): IntersectionIndex {
  if (Object.keys(sensitive).length === 0) {
    throw new GroupAttributesError('attributes: this test set names no sensitive attribute');
  }
  try {
    return intersectionIndex(sensitive, attributes);
  } catch (error) {
    // Its message already names the argument and the attributes the test set has.
    if (error instanceof MetricsInputError) throw new GroupAttributesError(error.message);
    throw error;
  }
}

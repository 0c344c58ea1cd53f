import {
  type Database,
  readStudyHeadlines,
  readTestSetHeaders,
  type StudyHeadline,
} from '@kdlens/core/db';
import { loadStudySummaries } from '@kdlens/core/results';
import type { StudySummary } from '@kdlens/metrics';
import DataLoader from 'dataloader';

/** What Experiment shows of its test set: class names and sensitive attributes, no arrays. */
export interface TestSetInfo {
  classNames: string[];
  attributes: string[];
  digest: string;
}

/** Batches Experiment.classNames / sensitiveAttributes into one query per request. */
export function createTestSetInfoLoader(db: Database) {
  return new DataLoader<string, TestSetInfo | null>(async (ids) => {
    const byId = new Map<string, TestSetInfo>();
    for (const header of await readTestSetHeaders(db, ids)) {
      byId.set(header.experimentId, {
        classNames: header.classNames,
        attributes: header.attributes,
        digest: header.digest,
      });
    }
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Batches Experiment.arms: the stored summaries of many experiments in one query. */
export function createStudySummaryLoader(db: Database) {
  return new DataLoader<string, StudySummary | null>(async (ids) => {
    const byId = await loadStudySummaries(db, ids);
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Batches Experiment.headline outside the experiments page: the stored columns, no summary JSON. */
export function createStudyHeadlineLoader(db: Database) {
  return new DataLoader<string, StudyHeadline | null>(async (ids) => {
    const byId = await readStudyHeadlines(db, ids);
    return ids.map((id) => byId.get(id) ?? null);
  });
}

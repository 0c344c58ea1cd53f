import { graphql, type ResultOf } from './graphql-document.ts';

/** The Run fields the runs table and the run page read. */
export const RunFields = graphql(`
  fragment RunFields on Run {
    id
    experimentId
    role
    temperature
    label
    seed
    architecture
    backend
    status
    progress
    epoch
    loss
    accuracy
    imagesPerSec
    etaSeconds
    error
  }
`);
export type Run = ResultOf<typeof RunFields>;

/** One finished epoch, as the learning curves and the per-epoch table read it. */
export const EpochMetricsFields = graphql(`
  fragment EpochMetricsFields on EpochMetrics {
    epoch
    loss
    trainAccuracy
    evalAccuracy
    imagesPerSec
    seconds
  }
`);
export type EpochMetrics = ResultOf<typeof EpochMetricsFields>;

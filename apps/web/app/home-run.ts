import { graphql, type ResultOf } from '@/lib/graphql-document.ts';

/**
 * A run as the home page shows it: its row in the runs table and its column in the per-class
 * table. Its own file, so the page and the table both import it and not each other.
 */
export const HomeRunFields = graphql(`
  fragment HomeRunFields on Run {
    id
    temperature
    label
    seed
    architecture
    backend
    status
    progress
    accuracy
    error
    classAccuracy
    classNames
  }
`);
export type HomeRun = ResultOf<typeof HomeRunFields>;

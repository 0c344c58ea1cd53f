import {
  type FieldNode,
  type GraphQLObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { pageSize } from './operation-size.ts';

/**
 * What one SQL statement costs, in the units of operation-size.ts (one field resolved in memory,
 * about a microsecond). Issue 12 measured 1,800 statements in 3.1 s, about 1.7 ms each: a round
 * trip to PostgreSQL takes as long as resolving a thousand fields or more.
 */
export const STATEMENT_COST = 1_000;

/**
 * The most SQL statements each root field's resolver runs per call, so that N aliases of a field
 * cost N times its real work. Every root field must be listed (root-field-cost.test.ts fails
 * until a new one is decided); 0 for fields that never reach the database.
 */
export type StatementTable = Readonly<Record<string, Readonly<Record<string, number>>>>;

export const rootFieldStatements: StatementTable = {
  Query: {
    // Analyses: the study cache's version query, and its three reload queries when the results
    // changed (analysis/study-cache.ts); derived tables are then memoised per version. One more
    // when the experiment is named by experimentName (looked up first).
    classComparison: 5,
    significanceSweep: 5,
    individualFairness: 5,
    // Also the attribute's stored group metrics of every run.
    groupFairness: 6,
    // Also the test set (two statements) and every run's predictions, read once per results
    // version for each choice of attributes (analysis/class-group-source.ts).
    intersectionalFairness: 8,
    classGroupMatrix: 8,
    // Not through the study cache: the experiments by id (one statement) and by name (one each,
    // up to 8), their test sets' identities and names (two), then each experiment's stored
    // summary, results state and class accuracies (three each), and one more each for its
    // per-class delta rows (up to MAX_COMPARED_DELTA_ROWS in all): 3 + 5 per experiment, priced
    // by the experiments the query lists (comparedStatements); 43 is 8 experiments.
    compareExperiments: 43,
    // Also the labels and every paired run's predictions, read afresh on each call.
    disagreement: 7,
    // The same for every arm's runs, then up to 561 pairs (MAX_PAIR_ARMS = 34 arms) computed
    // in memory, the whole answer memoised as one entry per results version: priced as 40 so
    // that at most two aliases (two experiments computed cold) fit in one operation.
    disagreementPairs: 40,
    // The page with its total in one statement; an empty page counts the total again. The page's
    // rows are priced by connectionRows below.
    experiments: 2,
    experiment: 1,
    run: 1,
    // One statement for all its ids (at most MAX_RUNS_BY_ID).
    runs: 1,
    // The experiments by id, then (not found there) the runs.
    node: 2,
    apiTokens: 1,
    // Reads the preset files, about as slow as a statement.
    presets: 1,
    viewer: 0,
  },
  Mutation: {
    createApiToken: 1,
    revokeApiToken: 1,
    // Launch and import validate, then write an experiment with its runs in a transaction.
    launchExperiment: 10,
    importPredictions: 10,
    cancelExperiment: 3,
    cancelRun: 3,
    // Finds the experiment, then updates its row.
    updateExperimentAnnotations: 2,
  },
};

export interface RootFieldCost {
  /** Distinct response keys at the root, `__typename`, `__schema` and `__type` left out. */
  rootFields: number;
  /** SQL work of the root fields: statements × STATEMENT_COST, plus the rows a page reads. */
  cost: number;
}

/**
 * Counts the root fields of an operation and prices the SQL their resolvers run. Fields that
 * share a response key are merged by graphql-js and resolved once, so they count once; each
 * alias is a separate resolver call and counts again.
 */
export function rootFieldCost(
  context: ValidationContext,
  set: SelectionSetNode,
  root: GraphQLObjectType,
  table: StatementTable = rootFieldStatements,
): RootFieldCost {
  const statements = table[root.name] ?? {};
  const byKey = new Map<string, FieldNode>();
  for (const field of rootFieldNodes(context, set, new Set())) {
    if (field.name.value.startsWith('__')) continue;
    const key = field.alias?.value ?? field.name.value;
    if (!byKey.has(key)) byKey.set(key, field);
  }
  let cost = 0;
  for (const field of byKey.values()) {
    const def = root.getFields()[field.name.value];
    // Unknown fields are reported by FieldsOnCorrectType; an unlisted one is priced as one
    // statement until it is decided.
    const listed =
      root.name === 'Query' && field.name.value === 'compareExperiments'
        ? comparedStatements(field)
        : undefined;
    cost += (listed ?? statements[field.name.value] ?? 1) * STATEMENT_COST;
    // A connection's statement reads first + 1 rows whatever the selection asks of them.
    const page = def ? pageSize(field, def) : undefined;
    if (page !== undefined) cost += page + 1;
  }
  return { rootFields: byKey.size, cost };
}

/** The most experiments compareExperiments takes (MAX_COMPARED_EXPERIMENTS in @kdlens/core). */
const MAX_COMPARED = 8;

/**
 * compareExperiments' statements for the experiments its literal list names (3 + 5 each, the
 * list clamped to 2…8); a variable is priced as the most, 8 experiments.
 */
function comparedStatements(field: FieldNode): number {
  const given = field.arguments?.find((a) => a.name.value === 'experiments')?.value;
  const n =
    given?.kind === Kind.LIST
      ? Math.min(Math.max(given.values.length, 2), MAX_COMPARED)
      : given?.kind === Kind.OBJECT
        ? 2
        : MAX_COMPARED;
  return 3 + 5 * n;
}

function rootFieldNodes(
  context: ValidationContext,
  set: SelectionSetNode,
  fragmentsOnPath: ReadonlySet<string>,
): FieldNode[] {
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s];
    if (s.kind === Kind.INLINE_FRAGMENT)
      return rootFieldNodes(context, s.selectionSet, fragmentsOnPath);
    const name = s.name.value;
    const fragment = context.getFragment(name);
    // Cycles are NoFragmentCycles's to report; here they must only not recurse forever.
    if (!fragment || fragmentsOnPath.has(name)) return [];
    return rootFieldNodes(context, fragment.selectionSet, new Set([...fragmentsOnPath, name]));
  });
}

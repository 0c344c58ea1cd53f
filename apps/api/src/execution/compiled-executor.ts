import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  getVariableValues,
  isAbstractType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type Source,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { ApiContext } from '../context.ts';

/**
 * Apollo Server has no executor option; a gateway is its one seam for one. Ours serves the local
 * schema and hands Apollo the executor below: parsing, validation (our limit rules), plugins,
 * formatError and the HTTP layer stay Apollo's, only execution changes.
 */
type Gateway = ApolloServerOptionsWithGateway<ApiContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;
type GatewayRequestContext = Parameters<GatewayExecutor>[0];

export interface CompiledExecutorOptions {
  /**
   * Documents kept compiled or refused, and, apart, documents seen but not yet compiled; least
   * recently used leave first. Seen documents have their own room so that a client sending fresh
   * documents pushes out only other seen ones, never compiled ones.
   */
  maxDocuments: number;
  /**
   * Estimated memory of the compiled queries kept (COMPILED_BYTES_PER_CHAR × their text);
   * least recently used leave first.
   */
  maxBytes: number;
  /**
   * Operations selecting more fields (fragments expanded, as often as they are spread) always
   * run on graphql-js. Compiling blocks the loop for a time growing with the fields: 80 aliased
   * `runs { id role seed status history { epoch loss } }` (562 fields, 4 KB) were reported at
   * 236–322 ms in the server; compiled alone against schema.graphql, 13–30 ms, against 4–16 ms
   * for 156 fields (load 6 on 2 cores). The web app's largest document (CompareExperiments)
   * selects 76.
   */
  maxFields: number;
  /** Longer query texts always run on graphql-js (memory is estimated from the text). */
  maxQueryChars: number;
  /**
   * Completed executions on graphql-js that resolved at least one root field before a document
   * is compiled: compiling costs about 50 one-off executions of a small query, so a document sent
   * once (or a client sending each query once) never pays for it, and an execution that
   * `@skip`s everything does not count.
   */
  compileAfter: number;
  /**
   * Compiles allowed per second across all documents (a token bucket holding compileBurst):
   * beyond it documents due to compile keep running on graphql-js until a token is free, so
   * fresh documents cannot keep the event loop compiling.
   */
  compilesPerSecond: number;
  compileBurst: number;
}

export const defaultCompiledExecutorOptions: CompiledExecutorOptions = {
  maxDocuments: 1000,
  maxBytes: 32 * 1024 * 1024,
  maxFields: 160,
  maxQueryChars: 16 * 1024,
  compileAfter: 2,
  compilesPerSecond: 2,
  compileBurst: 4,
};

/**
 * Heap per character of query text held by a compiled query: measured on this schema at 4 KB
 * and 16 KB with three shapes (aliased classComparison rows, experiments with every Run field,
 * many one-field roots), 8–190 bytes per character; the largest is taken.
 */
export const COMPILED_BYTES_PER_CHAR = 200;
/** What a seen or refused document's entry costs: its key and the Map's slot. */
const ENTRY_BYTES = 200;

export interface CompiledExecutorStats {
  /** Documents compiled and kept. */
  compiled: number;
  /** Estimated bytes of everything kept (COMPILED_BYTES_PER_CHAR). */
  bytes: number;
  /** Documents kept that run on graphql-js for good (graphql-jit refused them). */
  refused: number;
  /** Documents due to compile that ran on graphql-js because the compile budget was spent. */
  deferred: number;
  /** Executions by the compiled and by graphql-js's executor since the server started. */
  executions: { compiled: number; interpreted: number };
}

type Entry = { bytes: number } & ({ kind: 'compiled'; query: CompiledQuery } | { kind: 'refused' });

/**
 * Runs queries through graphql-jit: a document is compiled once into JavaScript that resolves its
 * selection without graphql-js's per-field bookkeeping (a 1000-row classComparison is ~15,000
 * fields; graphql-js spent most of the request there, issue 14). Mutations, subscriptions,
 * introspection, documents Apollo could not pick an operation from, long texts, selections of an
 * interface (`node`), nullable variables with defaults and whatever graphql-jit cannot compile
 * run on graphql-js's execute, as Apollo runs them without a gateway.
 *
 * What clients see stays graphql-js's: variables are coerced by graphql-js first (its messages
 * and BAD_USER_INPUT), and field errors are rebuilt as graphql-js builds them (locatedError:
 * the message, path, locations and the resolver's own error, whose extensions Apollo and our
 * formatError read).
 */
export class CompiledExecutor {
  private readonly entries = new Map<string, Entry>();
  /** Completed executions of documents not yet compiled, least recently seen first. */
  private readonly seen = new Map<string, number>();
  private readonly executions = { compiled: 0, interpreted: 0 };
  private refused = 0;
  private compiled = 0;
  private deferred = 0;
  private bytes = 0;
  private tokens: number;
  private tokensAt: number;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: CompiledExecutorOptions = defaultCompiledExecutorOptions,
    /** Milliseconds, for the compile budget. */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = options.compileBurst;
    this.tokensAt = now();
  }

  /** The gateway Apollo takes in place of `schema`. */
  gateway(): Gateway {
    let onLoad: Parameters<Gateway['onSchemaLoadOrUpdate']>[0] | undefined;
    return {
      onSchemaLoadOrUpdate: (callback) => {
        onLoad = callback;
        return () => {
          onLoad = undefined;
        };
      },
      load: async () => {
        // Apollo derives its schema data (and our plugins' schema) from this call.
        onLoad?.({ apiSchema: this.schema, coreSupergraphSdl: '' });
        return { executor: (requestContext) => this.execute(requestContext) };
      },
      stop: async () => {
        for (const [key, entry] of this.entries) this.forget(key, entry);
        this.seen.clear();
      },
    };
  }

  stats(): CompiledExecutorStats {
    return {
      compiled: this.compiled,
      bytes: this.bytes,
      refused: this.refused,
      deferred: this.deferred,
      executions: { ...this.executions },
    };
  }

  async execute(rc: GatewayRequestContext): Promise<ExecutionResult> {
    const variables = rc.request.variables ?? {};
    const compiled = this.compiledFor(rc);
    if (!compiled.query) {
      this.executions.interpreted++;
      const result = await execute({
        schema: this.schema,
        document: rc.document,
        contextValue: rc.context,
        variableValues: variables,
        operationName: rc.request.operationName,
      });
      if (compiled.key && result.data && Object.keys(result.data).length > 0) {
        this.count(compiled.key);
      }
      return result;
    }
    const { query, operation, source } = compiled;
    // graphql-js's coercion, limits and messages: Apollo turns these into BAD_USER_INPUT (400).
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables, {
      maxErrors: 50,
    });
    if (coerced.errors) return { errors: coerced.errors };
    this.executions.compiled++;
    const result = await query.query(undefined, rc.context, variables);
    if (!result.errors?.length) return result;
    return { ...result, errors: result.errors.map((e) => asGraphqlJsError(e, source)) };
  }

  /**
   * The compiled query for this request, or none: graphql-js executes it, and `key` is set when
   * its completion counts towards compiling it.
   */
  private compiledFor(
    rc: GatewayRequestContext,
  ):
    | { query: CompiledQuery; operation: OperationDefinitionNode; source: Source }
    | { query?: undefined; key?: string } {
    const { operation, document } = rc;
    const source = document.loc?.source;
    if (operation?.operation !== 'query' || !source) return {};
    if (source.body.length > this.options.maxQueryChars) return {};
    const key = `${rc.queryHash}\0${rc.request.operationName ?? ''}`;
    const entry = this.touch(key);
    if (entry?.kind === 'compiled') return { query: entry.query, operation, source };
    if (entry?.kind === 'refused') return {};
    // Neither tracked nor compiled: these never take room from documents that can be.
    if (introspects(operation) || nullableWithDefault(operation)) return {};
    if (fieldCount(document, operation, this.options.maxFields) > this.options.maxFields) {
      return {};
    }
    const executions = this.seen.get(key) ?? 0;
    if (executions < this.options.compileAfter) return { key };
    if (!this.takeToken()) {
      this.deferred++;
      return { key };
    }
    this.seen.delete(key);
    const bytes = key.length + ENTRY_BYTES;
    const query = selectsAbstractType(this.schema, document)
      ? undefined
      : compile(this.schema, document, rc.request.operationName);
    if (!query) {
      this.refused++;
      this.keep(key, { kind: 'refused', bytes });
      return {};
    }
    this.compiled++;
    this.keep(key, {
      kind: 'compiled',
      query,
      bytes: bytes + COMPILED_BYTES_PER_CHAR * source.body.length,
    });
    return { query, operation, source };
  }

  /** One more completed execution of a document not yet compiled. */
  private count(key: string): void {
    if (this.entries.has(key)) return;
    const executions = (this.seen.get(key) ?? 0) + 1;
    this.seen.delete(key);
    this.seen.set(key, executions);
    for (const k of this.seen.keys()) {
      if (this.seen.size <= this.options.maxDocuments) break;
      this.seen.delete(k);
    }
  }

  /** The compile budget: a token bucket refilled at compilesPerSecond up to compileBurst. */
  private takeToken(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.options.compileBurst,
      this.tokens + ((now - this.tokensAt) / 1000) * this.options.compilesPerSecond,
    );
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private touch(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  private keep(key: string, entry: Entry): void {
    const old = this.entries.get(key);
    if (old) this.forget(key, old);
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.options.maxDocuments && this.bytes <= this.options.maxBytes) {
        break;
      }
      this.forget(k, e);
    }
  }

  private forget(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    if (entry.kind === 'compiled') this.compiled--;
    if (entry.kind === 'refused') this.refused--;
  }
}

function compile(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
): CompiledQuery | undefined {
  try {
    const compiled = compileQuery(schema, document, operationName, {
      // Leaves are serialised as graphql-js serialises them (a NaN Float is an error, not null).
      disableLeafSerialization: false,
      customJSONSerializer: false,
    });
    return isCompiledQuery(compiled) ? compiled : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fields the operation selects, each fragment counted as often as it is spread (what graphql-jit
 * compiles), counting stops past `cap` (fragments spreading fragments can multiply).
 * Validation has already refused unknown fragments and cycles.
 */
export function fieldCount(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  cap: number,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) {
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  }
  const memo = new Map<string, number>();
  const count = (set: SelectionSetNode): number => {
    let n = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) n += 1 + (s.selectionSet ? count(s.selectionSet) : 0);
      else if (s.kind === Kind.INLINE_FRAGMENT) n += count(s.selectionSet);
      else {
        let spread = memo.get(s.name.value);
        if (spread === undefined) {
          const fragment = fragments.get(s.name.value);
          spread = fragment ? count(fragment.selectionSet) : 0;
          memo.set(s.name.value, spread);
        }
        n += spread;
      }
      if (n > cap) return cap + 1;
    }
    return n;
  };
  return count(operation.selectionSet);
}

/**
 * Whether a field of the document returns an interface or union (`node(id:)`). graphql-jit calls
 * resolveType synchronously and type-graphql's is async, so those stay graphql-js's.
 */
function selectsAbstractType(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const type = typeInfo.getType();
        if (type && isAbstractType(getNamedType(type))) found = true;
      },
    }),
  );
  return found;
}

/**
 * Whether a variable is nullable with a default: validation lets it into non-null positions
 * (`@include(if: $k)` for `$k: Boolean = true`), where an explicit null is graphql-js's error
 * ('Argument "if" of non-null type "Boolean!" must not be null') but graphql-jit coerces the raw
 * variables again and answers data. Such operations stay graphql-js's.
 */
function nullableWithDefault(operation: OperationDefinitionNode): boolean {
  return (operation.variableDefinitions ?? []).some(
    (v) => v.defaultValue !== undefined && v.type.kind !== Kind.NON_NULL_TYPE,
  );
}

/** Introspection (`__schema`, `__type` at the root) stays graphql-js's, byte for byte. */
function introspects(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.some(
    (s) => s.kind !== Kind.FIELD || s.name.value === '__schema' || s.name.value === '__type',
  );
}

/**
 * A graphql-jit error as graphql-js's locatedError builds it: a resolver's error that already
 * has a path is itself; otherwise a GraphQLError with the message, the field's path and
 * locations, and the resolver's error as originalError (its extensions become the error's).
 * graphql-jit's own errors carry locations but no nodes; the positions they come from are
 * recovered from the source, which gives graphql-js the same locations.
 */
export function asGraphqlJsError(error: GraphQLError, source: Source): GraphQLError {
  const original: unknown = error.originalError;
  if (original instanceof GraphQLError && Array.isArray(original.path)) return original;
  return new GraphQLError(error.message, {
    source,
    positions: error.locations?.map((l) => positionOf(source.body, l.line, l.column)),
    path: error.path,
    originalError: original instanceof Error ? original : undefined,
  });
}

// graphql-js's getLocation counts lines the same way.
const LINE_BREAK = /\r\n|[\n\r]/g;

/** The character offset of a 1-based line and column in `body`. */
export function positionOf(body: string, line: number, column: number): number {
  let lineStart = 0;
  let current = 1;
  for (const match of body.matchAll(LINE_BREAK)) {
    if (current === line) break;
    lineStart = match.index + match[0].length;
    current++;
  }
  return lineStart + column - 1;
}

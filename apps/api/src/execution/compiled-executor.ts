import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  getVariableValues,
  isAbstractType,
  Kind,
  type OperationDefinitionNode,
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
  /** Documents tracked (seen, compiled or refused), least recently used leave first. */
  maxDocuments: number;
  /**
   * Estimated memory of the compiled queries kept (COMPILED_BYTES_PER_CHAR × their text);
   * least recently used leave first.
   */
  maxBytes: number;
  /**
   * Longer query texts always run on graphql-js. Compiling costs time and memory in proportion
   * to the text: a 16 KB document of small fields took ~1 s and ~3 MB here (a DoS lever), while
   * the web app's documents are under 1 KB.
   */
  maxQueryChars: number;
  /**
   * Executions on graphql-js before a document is compiled: compiling costs about 50 one-off
   * executions of a small query, so a document sent once (or a client sending each query once)
   * never pays for it.
   */
  compileAfter: number;
}

export const defaultCompiledExecutorOptions: CompiledExecutorOptions = {
  maxDocuments: 1000,
  maxBytes: 32 * 1024 * 1024,
  maxQueryChars: 4096,
  compileAfter: 2,
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
  /** Executions by the compiled and by graphql-js's executor since the server started. */
  executions: { compiled: number; interpreted: number };
}

type Entry = { bytes: number } & (
  | { kind: 'seen'; executions: number }
  | { kind: 'compiled'; query: CompiledQuery }
  | { kind: 'refused' }
);

/**
 * Runs queries through graphql-jit: a document is compiled once into JavaScript that resolves its
 * selection without graphql-js's per-field bookkeeping (a 1000-row classComparison is ~15,000
 * fields; graphql-js spent most of the request there, issue 14). Mutations, subscriptions,
 * introspection, documents Apollo could not pick an operation from, long texts, selections of an
 * interface (`node`) and whatever graphql-jit cannot compile run on graphql-js's execute, as
 * Apollo runs them without a gateway.
 *
 * What clients see stays graphql-js's: variables are coerced by graphql-js first (its messages
 * and BAD_USER_INPUT), and field errors are rebuilt as graphql-js builds them (locatedError:
 * the message, path, locations and the resolver's own error, whose extensions Apollo and our
 * formatError read).
 */
export class CompiledExecutor {
  private readonly entries = new Map<string, Entry>();
  private readonly executions = { compiled: 0, interpreted: 0 };
  private refused = 0;
  private compiled = 0;
  private bytes = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly options: CompiledExecutorOptions = defaultCompiledExecutorOptions,
  ) {}

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
      },
    };
  }

  stats(): CompiledExecutorStats {
    return {
      compiled: this.compiled,
      bytes: this.bytes,
      refused: this.refused,
      executions: { ...this.executions },
    };
  }

  async execute(rc: GatewayRequestContext): Promise<ExecutionResult> {
    const variables = rc.request.variables ?? {};
    const compiled = this.compiledFor(rc);
    if (!compiled) {
      this.executions.interpreted++;
      return execute({
        schema: this.schema,
        document: rc.document,
        contextValue: rc.context,
        variableValues: variables,
        operationName: rc.request.operationName,
      });
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

  /** The compiled query for this request, or undefined: graphql-js executes it. */
  private compiledFor(
    rc: GatewayRequestContext,
  ): { query: CompiledQuery; operation: OperationDefinitionNode; source: Source } | undefined {
    const { operation, document } = rc;
    const source = document.loc?.source;
    if (operation?.operation !== 'query' || !source) return undefined;
    if (source.body.length > this.options.maxQueryChars) return undefined;
    const key = `${rc.queryHash}\0${rc.request.operationName ?? ''}`;
    const entry = this.touch(key);
    if (entry?.kind === 'compiled') return { query: entry.query, operation, source };
    if (entry?.kind === 'refused') return undefined;
    const executions = (entry?.executions ?? 0) + 1;
    const bytes = key.length + ENTRY_BYTES;
    if (executions <= this.options.compileAfter || introspects(operation)) {
      this.keep(key, { kind: 'seen', executions, bytes });
      return undefined;
    }
    const query = selectsAbstractType(this.schema, document)
      ? undefined
      : compile(this.schema, document, rc.request.operationName);
    if (!query) {
      this.refused++;
      this.keep(key, { kind: 'refused', bytes });
      return undefined;
    }
    this.compiled++;
    this.keep(key, {
      kind: 'compiled',
      query,
      bytes: bytes + COMPILED_BYTES_PER_CHAR * source.body.length,
    });
    return { query, operation, source };
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

import { ApolloServer } from '@apollo/server';
import { createLogger } from '@kdlens/core';
import {
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type OperationDefinitionNode,
  parse,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { ApiContext } from '../context.ts';
import { badUserInput, notFound } from '../errors/api-error.ts';
import { createFormatError } from '../errors/format-error.ts';
import {
  COMPILED_BYTES_PER_CHAR,
  CompiledExecutor,
  type CompiledExecutorOptions,
  fieldCount,
  positionOf,
} from './compiled-executor.ts';

// The reference is graphql-js itself: every request is answered by an Apollo server on the plain
// schema and by one on the compiled executor, and the two answers must be equal.

const Row = new GraphQLObjectType({
  name: 'Row',
  fields: {
    index: { type: new GraphQLNonNull(GraphQLInt) },
    name: { type: GraphQLString },
    value: { type: GraphQLFloat },
    /** Null where the schema promises a value: graphql-js's non-null error, and bubbling. */
    required: { type: new GraphQLNonNull(GraphQLString) },
    failing: {
      type: GraphQLString,
      resolve: (row: { index: number }) => {
        throw row.index === 0
          ? badUserInput('row 0 refuses', { argument: 'row' })
          : new Error('/srv/secret');
      },
    },
  },
});

const Query = new GraphQLObjectType({
  name: 'Query',
  fields: {
    rows: {
      type: new GraphQLList(new GraphQLNonNull(Row)),
      args: { first: { type: new GraphQLNonNull(GraphQLInt) } },
      resolve: async (_root, args: { first: number }) =>
        Array.from({ length: args.first }, (_, i) => ({
          index: i,
          name: `class ${i}`,
          value: i / 4,
          required: i === 1 ? null : 'yes',
        })),
    },
    thing: {
      type: GraphQLString,
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      resolve: (_root, args: { id: string }) => {
        throw notFound(`no thing has id ${args.id}`);
      },
    },
    hello: { type: GraphQLString, resolve: () => 'hello' },
  },
});

const schema = new GraphQLSchema({ query: Query });
const log = createLogger('silent', 'test');

async function servers() {
  const executor = new CompiledExecutor(schema, {
    maxDocuments: 10,
    maxBytes: 1024 * 1024,
    maxFields: 1000,
    maxQueryChars: 16 * 1024,
    compileAfter: 0,
    compilesPerSecond: 1000,
    compileBurst: 1000,
  });
  const common = { formatError: createFormatError(log), includeStacktraceInErrorResponses: false };
  const plain = new ApolloServer<ApiContext>({ ...common, schema });
  const compiled = new ApolloServer<ApiContext>({ ...common, gateway: executor.gateway() });
  await plain.start();
  await compiled.start();
  const ask = async (server: ApolloServer<ApiContext>, query: string, variables?: object) => {
    const response = await server.executeOperation({
      query,
      ...(variables ? { variables: { ...variables } } : {}),
    });
    return { status: response.http.status, body: response.body };
  };
  return {
    executor,
    /** Both answers, after checking they are equal. */
    both: async (query: string, variables?: object) => {
      const expected = await ask(plain, query, variables);
      const actual = await ask(compiled, query, variables);
      expect(actual).toEqual(expected);
      return actual;
    },
    stop: async () => {
      await plain.stop();
      await compiled.stop();
    },
  };
}

describe('the compiled executor answers as graphql-js does', () => {
  it('data, resolver errors with their codes, masked errors, non-null bubbling', async () => {
    const s = await servers();
    try {
      // Several lines, so error locations must be recovered line by line.
      const query = `query Rows($n: Int!) {
        rows(first: $n) {
          index name value
          failing
        }
      }`;
      const answer = await s.both(query, { n: 3 });
      expect(answer.body).toMatchObject({
        kind: 'single',
        singleResult: {
          data: {
            rows: [
              { index: 0, name: 'class 0', value: 0, failing: null },
              { index: 1, name: 'class 1', value: 0.25, failing: null },
              { index: 2, name: 'class 2', value: 0.5, failing: null },
            ],
          },
          errors: [
            {
              message: 'row 0 refuses',
              locations: [{ line: 4, column: 11 }],
              path: ['rows', 0, 'failing'],
              extensions: { argument: 'row', code: 'BAD_USER_INPUT' },
            },
            {
              message: 'internal server error',
              locations: [{ line: 4, column: 11 }],
              path: ['rows', 1, 'failing'],
              extensions: { code: 'INTERNAL_SERVER_ERROR' },
            },
            expect.anything(),
          ],
        },
      });
      // A null in a non-null field nulls the nearest nullable parent: here the whole list.
      const bubbled = await s.both('{ rows(first: 2) { index required } }');
      expect(bubbled.body).toMatchObject({
        singleResult: { data: { rows: null }, errors: [{ path: ['rows', 1, 'required'] }] },
      });
      await s.both('{ thing(id: "x") hello }');
      expect(s.executor.stats().executions.compiled).toBe(3);
    } finally {
      await s.stop();
    }
  });

  it("variables: graphql-js's coercion errors, HTTP 400", async () => {
    const s = await servers();
    try {
      const query = 'query($n: Int!) { rows(first: $n) { index } }';
      const missing = await s.both(query, {});
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({
        singleResult: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] },
      });
      await s.both(query, { n: 'three' });
      await s.both(query, { n: 2 });
    } finally {
      await s.stop();
    }
  });

  it('null for a nullable variable with a default, used where null is not allowed', async () => {
    const s = await servers();
    try {
      // graphql-js throws 'Argument "if" of non-null type "Boolean!" must not be null.' while
      // collecting fields, which formatError masks; graphql-jit answered { hello: 'hello' }.
      const include = await s.both('query($k: Boolean = true) { hello @include(if: $k) }', {
        k: null,
      });
      expect(include.body).toMatchObject({
        singleResult: { errors: [{ message: 'internal server error' }] },
      });
      expect(include.body).not.toMatchObject({ singleResult: { data: { hello: 'hello' } } });
      // 'Argument "first" of non-null type "Int!" must not be null.', a field error on rows.
      const first = await s.both('query($n: Int = 2) { rows(first: $n) { index } }', { n: null });
      expect(first.body).toMatchObject({
        singleResult: { data: { rows: null }, errors: [{ path: ['rows'] }] },
      });
      // The default still applies when the variable is left out.
      const omitted = await s.both('query($n: Int = 2) { rows(first: $n) { index } }', {});
      expect(omitted.body).toMatchObject({
        singleResult: { data: { rows: [{ index: 0 }, { index: 1 }] } },
      });
    } finally {
      await s.stop();
    }
  });

  it('introspection and unknown operations stay on graphql-js', async () => {
    const s = await servers();
    try {
      await s.both('{ __schema { queryType { name } } }');
      await s.both('query A { hello } query B { hello }', undefined);
      expect(s.executor.stats()).toMatchObject({ compiled: 0, executions: { compiled: 0 } });
    } finally {
      await s.stop();
    }
  });
});

describe('what it keeps', () => {
  const keeper = async (options: Partial<CompiledExecutorOptions>) => {
    let clock = 0;
    const executor = new CompiledExecutor(
      schema,
      {
        maxDocuments: 2,
        maxBytes: 1024 * 1024,
        maxFields: 100,
        maxQueryChars: 40,
        compileAfter: 2,
        compilesPerSecond: 1000,
        compileBurst: 1000,
        ...options,
      },
      () => clock,
    );
    const server = new ApolloServer<ApiContext>({ gateway: executor.gateway() });
    await server.start();
    return {
      executor,
      run: (query: string, variables?: Record<string, unknown>) =>
        server.executeOperation({ query, ...(variables ? { variables } : {}) }),
      advance: (ms: number) => {
        clock += ms;
      },
      stop: () => server.stop(),
    };
  };

  it('compiles a document after compileAfter executions; fresh documents do not push it out', async () => {
    const { executor, run, stop } = await keeper({});
    try {
      for (let i = 0; i < 3; i++) await run('{ hello }');
      expect(executor.stats()).toMatchObject({
        compiled: 1,
        refused: 0,
        executions: { compiled: 1, interpreted: 2 },
      });
      // Documents only seen have their own maxDocuments: they push out one another, not it.
      for (const alias of ['a', 'b', 'c', 'd']) await run(`{ ${alias}: hello }`);
      expect(executor.stats().compiled).toBe(1);
      await run('{ a: hello }');
      await run('{ a: hello }');
      expect(executor.stats().executions).toEqual({ compiled: 1, interpreted: 8 });
      // Longer than maxQueryChars: never tracked, never compiled.
      const long = `{ ${'hello '.repeat(10)}}`;
      for (let i = 0; i < 4; i++) await run(long);
      expect(executor.stats().executions).toEqual({ compiled: 1, interpreted: 12 });
    } finally {
      await stop();
    }
  });

  it('executions that resolve no root field (all @skip) do not count towards compiling', async () => {
    const { executor, run, stop } = await keeper({ maxQueryChars: 1000 });
    try {
      const query = 'query($s: Boolean!) { hello @skip(if: $s) }';
      for (let i = 0; i < 5; i++) await run(query, { s: true });
      expect(executor.stats().compiled).toBe(0);
      await run(query, { s: false });
      await run(query, { s: false });
      expect(executor.stats().compiled).toBe(0);
      await run(query, { s: true });
      expect(executor.stats()).toMatchObject({ compiled: 1, executions: { compiled: 1 } });
    } finally {
      await stop();
    }
  });

  it('compiles no operation selecting more than maxFields, fragments counted per spread', async () => {
    const { executor, run, stop } = await keeper({
      maxFields: 8,
      maxQueryChars: 1000,
      compileAfter: 0,
    });
    try {
      // 3 fields in R, spread 3 times under rows: 10 fields in 90 characters; twice: 7.
      const fragment = 'fragment R on Row { a: index b: name c: value }';
      const ten = `{ rows(first: 1) { ...R ...R ...R } } ${fragment}`;
      const seven = `{ rows(first: 1) { ...R ...R } } ${fragment}`;
      await run(ten);
      await run(ten);
      expect(executor.stats()).toMatchObject({ compiled: 0, executions: { compiled: 0 } });
      await run(seven);
      expect(executor.stats()).toMatchObject({ compiled: 1, executions: { compiled: 1 } });
    } finally {
      await stop();
    }
  });

  it('compiles at most compilesPerSecond (burst compileBurst); the rest run on graphql-js', async () => {
    const { executor, run, advance, stop } = await keeper({
      maxDocuments: 100,
      maxQueryChars: 1000,
      compileAfter: 0,
      compilesPerSecond: 2,
      compileBurst: 2,
    });
    try {
      for (const alias of ['a', 'b', 'c', 'd']) await run(`{ ${alias}: hello }`);
      expect(executor.stats()).toMatchObject({ compiled: 2, deferred: 2 });
      // Half a second refills one token (2 per second): c compiles, d waits again.
      advance(500);
      await run('{ c: hello }');
      await run('{ d: hello }');
      expect(executor.stats()).toMatchObject({ compiled: 3, deferred: 3 });
      advance(500);
      await run('{ d: hello }');
      expect(executor.stats()).toMatchObject({
        compiled: 4,
        executions: { compiled: 4, interpreted: 3 },
      });
    } finally {
      await stop();
    }
  });

  it('keeps compiled queries within maxBytes, counted as COMPILED_BYTES_PER_CHAR × text', async () => {
    const a = '{ hello }';
    const b = '{ a: hello b: hello }';
    // Room for the larger document alone: compiling it pushes the other out.
    const room = COMPILED_BYTES_PER_CHAR * b.length + 400;
    const { executor, run, stop } = await keeper({
      maxDocuments: 100,
      maxBytes: room,
      compileAfter: 0,
    });
    try {
      await run(a);
      expect(executor.stats().compiled).toBe(1);
      await run(b);
      expect(executor.stats().compiled).toBe(1);
      expect(executor.stats().bytes).toBeLessThanOrEqual(room);
      expect(executor.stats().bytes).toBeGreaterThan(COMPILED_BYTES_PER_CHAR * b.length);
    } finally {
      await stop();
    }
  });
});

it('fieldCount expands fragments as often as they are spread, and stops past the cap', () => {
  const document = parse(
    '{ hello ...B } fragment A on Query { x: hello y: hello } fragment B on Query { ...A ...A rows(first: 1) { index ...R } } fragment R on Row { name value }',
  );
  const operation = document.definitions[0] as OperationDefinitionNode;
  // hello + B = 1 + (A + A + rows + index + R) = 1 + (2 + 2 + 1 + 1 + 2) = 9
  expect(fieldCount(document, operation, 100)).toBe(9);
  expect(fieldCount(document, operation, 4)).toBe(5);
});

it('positionOf inverts graphql-js line and column counting (\\n, \\r\\n, \\r)', () => {
  const body = 'ab\ncd\r\nef\rgh';
  expect(positionOf(body, 1, 2)).toBe(1);
  expect(positionOf(body, 2, 1)).toBe(3);
  expect(positionOf(body, 3, 2)).toBe(8);
  expect(positionOf(body, 4, 1)).toBe(10);
});

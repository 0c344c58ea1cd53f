import type { ApolloServerPlugin } from '@apollo/server';
import { findNulCharacter, nulLine, type ValuePath } from '@kdlens/core';
import { type DocumentNode, Kind, type StringValueNode, visit } from 'graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput } from '../errors/api-error.ts';

/**
 * PostgreSQL's text and jsonb cannot hold U+0000, so a NUL in any string input (an experiment
 * name, a spec, an import file, a token name, a filter, an id) would fail its query with a
 * database error: a 500 that names no field. Checked once per operation, before any resolver,
 * over the variables and the query's own string literals (`"\u0000"` is a legal escape).
 */
export function nulInputPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const inVariables = findNulCharacter(request.variables ?? {});
          if (inVariables !== null) {
            const [name, ...rest] = inVariables;
            const where = `$${String(name)}${rest.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
            const value = valueAt(request.variables, inVariables);
            const line = typeof value === 'string' ? nulLine(value) : null;
            throw nulError(
              `variable ${where}${line !== null && line > 1 ? ` (line ${line})` : ''}`,
              {
                variable: where,
                ...(line === null ? {} : { line }),
              },
            );
          }
          const literal = firstNulLiteral(document);
          if (literal !== undefined) {
            const at = literal.loc?.startToken;
            throw nulError(
              `a string in the query${at ? ` at line ${at.line}, column ${at.column}` : ''}`,
              {},
            );
          }
        },
      };
    },
  };
}

function nulError(where: string, extensions: Record<string, unknown>) {
  return badUserInput(
    `${where} contains a NUL character (\\u0000), which cannot be stored; remove it`,
    // Thrown outside execution, Apollo would answer 500 without a status of our own.
    { ...extensions, http: { status: 400 } },
  );
}

function valueAt(root: unknown, path: ValuePath): unknown {
  let value = root;
  for (const key of path) {
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

function firstNulLiteral(document: DocumentNode): StringValueNode | undefined {
  let found: StringValueNode | undefined;
  // graphql-js's visit keeps its own stack, so the document's nesting cannot overflow it.
  visit(document, {
    [Kind.STRING](node) {
      if (found === undefined && node.value.includes('\u0000')) found = node;
    },
  });
  return found;
}

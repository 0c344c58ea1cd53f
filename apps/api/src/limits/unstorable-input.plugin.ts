import type { ApolloServerPlugin } from '@apollo/server';
import { findUnstorableCharacter, lineAt, unstorableCharacterIn } from '@kdlens/core';
import { type DocumentNode, Kind, type StringValueNode, visit } from 'graphql';
import type { ApiContext } from '../context.ts';
import { badUserInput } from '../errors/api-error.ts';

/**
 * PostgreSQL's text and jsonb cannot hold U+0000 or an unpaired UTF-16 surrogate (`"\ud800"` is
 * legal JSON), so one in any string input (an experiment name, a spec, an import file, a token
 * name, a filter, an id) would fail its query with a database error: a 500 that names no field.
 * Checked once per operation, before any resolver, over the variables and the query's own
 * string literals (`"\u0000"` is a legal escape there too).
 */
export function unstorableInputPlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const inVariables = findUnstorableCharacter(request.variables ?? {});
          if (inVariables !== null) {
            const [name, ...rest] = inVariables.path;
            const where = `$${String(name)}${rest.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
            const value = valueAt(request.variables, inVariables.path);
            const line = typeof value === 'string' ? lineAt(value, inVariables.index) : null;
            throw unstorableError(
              `variable ${where}${line !== null && line > 1 ? ` (line ${line})` : ''}`,
              inVariables.description,
              { variable: where, ...(line === null ? {} : { line }) },
            );
          }
          const literal = firstUnstorableLiteral(document);
          if (literal !== undefined) {
            const at = literal.node.loc?.startToken;
            throw unstorableError(
              `a string in the query${at ? ` at line ${at.line}, column ${at.column}` : ''}`,
              literal.description,
              {},
            );
          }
        },
      };
    },
  };
}

function unstorableError(where: string, what: string, extensions: Record<string, unknown>) {
  return badUserInput(
    `${where} contains ${what}, which cannot be stored; remove it`,
    // Thrown outside execution, Apollo would answer 500 without a status of our own.
    { ...extensions, http: { status: 400 } },
  );
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const key of path) {
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

type UnstorableLiteral = { node: StringValueNode; description: string } | undefined;

/**
 * By document: Apollo's document store hands out the same parsed DocumentNode for a repeated
 * query text, so the walk (a twentieth of a small query's cost) runs once per text, not per
 * request. Weak, so a document the store lets go is not kept alive here.
 */
const literalsChecked = new WeakMap<DocumentNode, UnstorableLiteral>();

function firstUnstorableLiteral(document: DocumentNode): UnstorableLiteral {
  if (literalsChecked.has(document)) return literalsChecked.get(document);
  const found = findUnstorableLiteral(document);
  literalsChecked.set(document, found);
  return found;
}

function findUnstorableLiteral(document: DocumentNode): UnstorableLiteral {
  let found: UnstorableLiteral;
  // graphql-js's visit keeps its own stack, so the document's nesting cannot overflow it.
  visit(document, {
    [Kind.STRING](node) {
      if (found !== undefined) return;
      const bad = unstorableCharacterIn(node.value);
      if (bad !== null) found = { node, description: bad.description };
    },
  });
  return found;
}

import type { ApolloServerPlugin } from '@apollo/server';
import { type FragmentDefinitionNode, Kind, type SelectionSetNode } from 'graphql';
import type { ApiContext } from '../context.ts';
import { unauthenticated } from '../errors/api-error.ts';

/** Root fields anyone may ask for: who am I, and the schema itself (introspection stays on). */
const openFields = new Set(['viewer', '__typename', '__schema', '__type']);

/**
 * Reading needs a token unless anonymous reading is on. Checked once per operation, before
 * execution, so a query without a token gets one UNAUTHENTICATED error instead of a partial
 * result, and read resolvers need no decorator each. Mutations are checked per field by
 * @Authorized (auth/auth-checker.ts), since their roles differ.
 */
export function readGatePlugin(): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          const { caller, anonymousRead } = contextValue.auth;
          // Without an operation Apollo has already answered with OPERATION_RESOLUTION_FAILURE.
          if (!operation || caller !== null || anonymousRead || operation.operation !== 'query') {
            return;
          }
          const fragments = new Map<string, FragmentDefinitionNode>();
          for (const d of document.definitions) {
            if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
          }
          const closed = rootFields(operation.selectionSet, fragments, new Set()).filter(
            (name) => !openFields.has(name),
          );
          if (closed.length > 0) {
            throw unauthenticated(
              `reading ${closed.join(', ')} needs an API token (Authorization: Bearer <token>); anonymous reading is off`,
            );
          }
        },
      };
    },
  };
}

/** Root fields an operation selects, through fragments (http/response-cache.ts uses it too). */
export function rootFields(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: Set<string>,
): string[] {
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s.name.value];
    if (s.kind === Kind.INLINE_FRAGMENT) return rootFields(s.selectionSet, fragments, seen);
    const fragment = fragments.get(s.name.value);
    // Validation has already rejected unknown and cyclic fragments; `seen` is a second guard.
    if (!fragment || seen.has(s.name.value)) return [];
    seen.add(s.name.value);
    return rootFields(fragment.selectionSet, fragments, seen);
  });
}

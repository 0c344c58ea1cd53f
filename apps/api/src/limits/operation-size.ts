import {
  type FieldNode,
  type GraphQLField,
  GraphQLList,
  type GraphQLNamedType,
  GraphQLNonNull,
  type GraphQLOutputType,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  type ValidationContext,
} from 'graphql';
import { MAX_PAGE_SIZE } from './api-limits.ts';

/**
 * A list field without a `first` argument is assumed to hold this many items. Lists in this
 * schema are short (runs of a study, classes, groups, epochs), and the assumption also prices
 * introspection's lists, whose nesting (`fields { type { fields … } }`) is the classic way to
 * make a small query do exponential work.
 */
export const ASSUMED_LIST_SIZE = 10;

export interface OperationSize {
  depth: number;
  cost: number;
}

/**
 * Depth and estimated cost of a selection set. Cost counts every field once, times the size of
 * each list it sits in. A list's size is its `first` argument (a variable or an over-large value
 * counts as MAX_PAGE_SIZE, since the resolver refuses more); on a connection (`first` on a field
 * that is not itself a list) it is the size of the list below it (`edges`); else
 * ASSUMED_LIST_SIZE.
 */
export function operationSize(
  context: ValidationContext,
  set: SelectionSetNode,
  parent: GraphQLNamedType,
  fragmentsOnPath: ReadonlySet<string> = new Set(),
  page?: number,
): OperationSize {
  let depth = 0;
  let cost = 0;
  for (const selection of set.selections) {
    let inner: OperationSize;
    if (selection.kind === Kind.FIELD) {
      inner = fieldSize(context, selection, parent, fragmentsOnPath, page);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition
        ? context.getSchema().getType(selection.typeCondition.name.value)
        : parent;
      inner = condition
        ? operationSize(context, selection.selectionSet, condition, fragmentsOnPath, page)
        : { depth: 0, cost: 0 };
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      const condition = fragment && context.getSchema().getType(fragment.typeCondition.name.value);
      // A fragment cycle is reported by graphql-js's NoFragmentCycles rule; here it must only
      // not recurse forever.
      inner =
        fragment && condition && !fragmentsOnPath.has(name)
          ? operationSize(
              context,
              fragment.selectionSet,
              condition,
              new Set([...fragmentsOnPath, name]),
              page,
            )
          : { depth: 0, cost: 0 };
    }
    depth = Math.max(depth, inner.depth);
    cost += inner.cost;
  }
  return { depth, cost };
}

function fieldSize(
  context: ValidationContext,
  field: FieldNode,
  parent: GraphQLNamedType,
  fragmentsOnPath: ReadonlySet<string>,
  page: number | undefined,
): OperationSize {
  const def = fieldDefinition(context, field.name.value, parent);
  // Unknown fields are reported by FieldsOnCorrectType; __typename costs nothing to resolve.
  if (!def) return { depth: 1, cost: field.name.value === '__typename' ? 0 : 1 };
  const lists = listDepth(def.type);
  const first = pageSize(field, def);
  const items =
    lists === 0 ? 1 : (first ?? page ?? ASSUMED_LIST_SIZE) * ASSUMED_LIST_SIZE ** (lists - 1);
  const child = field.selectionSet
    ? operationSize(
        context,
        field.selectionSet,
        getNamedType(def.type),
        fragmentsOnPath,
        lists === 0 ? first : undefined,
      )
    : { depth: 0, cost: 0 };
  return { depth: 1 + child.depth, cost: 1 + items * child.cost };
}

function fieldDefinition(
  context: ValidationContext,
  name: string,
  parent: GraphQLNamedType,
): GraphQLField<unknown, unknown> | undefined {
  if (name === '__schema' || name === '__type') {
    return parent === context.getSchema().getQueryType()
      ? name === '__schema'
        ? SchemaMetaFieldDef
        : TypeMetaFieldDef
      : undefined;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/** How many list wrappers the type has ([[Float]] has two). */
function listDepth(type: GraphQLOutputType): number {
  let lists = 0;
  let t: GraphQLOutputType = type;
  while (t instanceof GraphQLNonNull || t instanceof GraphQLList) {
    if (t instanceof GraphQLList) lists++;
    t = t.ofType;
  }
  return lists;
}

/** The page a `first` argument asks for, clamped to what the resolver allows; undefined without one. */
export function pageSize(
  field: FieldNode,
  def: GraphQLField<unknown, unknown>,
): number | undefined {
  const firstArg = def.args.find((a) => a.name === 'first');
  if (!firstArg) return undefined;
  const clamp = (n: number) => Math.min(Math.max(n, 0), MAX_PAGE_SIZE);
  const given = field.arguments?.find((a) => a.name.value === 'first')?.value;
  if (given === undefined) {
    return typeof firstArg.defaultValue === 'number' ? clamp(firstArg.defaultValue) : MAX_PAGE_SIZE;
  }
  return given.kind === Kind.INT ? clamp(Number(given.value)) : MAX_PAGE_SIZE;
}

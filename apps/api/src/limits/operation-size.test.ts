import { buildSchema, parse, TypeInfo, ValidationContext, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ASSUMED_LIST_SIZE, operationSize } from './operation-size.ts';
import { sizeLimitRule } from './size-limit.rule.ts';

const schema = buildSchema(`
  type Query { items(first: Int = 20): Conn!  thing: Thing  things: [Thing!]! }
  type Conn { edges: [Edge!]!  total: Int! }
  type Edge { node: Thing! }
  type Thing { id: ID!  children: [Thing!]! }
`);

function size(query: string) {
  const document = parse(query);
  const context = new ValidationContext(schema, document, new TypeInfo(schema), () => {});
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
  if (operation?.kind !== 'OperationDefinition') throw new Error('no operation');
  const query_ = schema.getQueryType();
  if (!query_) throw new Error('no Query');
  return operationSize(context, operation.selectionSet, query_);
}

// Expected costs worked by hand: a field costs 1 plus (items of its list) × (cost of its children).
describe('operationSize', () => {
  it('counts fields once outside lists', () => {
    expect(size('{ thing { id } }')).toEqual({ depth: 2, cost: 2 });
  });

  it('multiplies children of a list without `first` by the assumed size', () => {
    expect(ASSUMED_LIST_SIZE).toBe(10);
    // things: 1 + 10 × (id 1 + children (1 + 10 × id 1)) = 1 + 10 × 12
    expect(size('{ things { id children { id } } }')).toEqual({ depth: 3, cost: 121 });
  });

  it("applies a connection's `first` to the list below it", () => {
    // items 1 + (total 1 + edges (1 + 5 × (node 1 + id 1))) = 1 + 12
    expect(size('{ items(first: 5) { total edges { node { id } } } }')).toEqual({
      depth: 4,
      cost: 13,
    });
    // The default of `first` (20): items 1 + edges (1 + 20 × 2)
    expect(size('{ items { edges { node { id } } } }').cost).toBe(42);
  });

  it('prices a variable or an over-large `first` at the maximum page (100)', () => {
    const atMax = 1 + 1 + 100 * 2;
    expect(size('query($n: Int) { items(first: $n) { edges { node { id } } } }').cost).toBe(atMax);
    expect(size('{ items(first: 1000000) { edges { node { id } } } }').cost).toBe(atMax);
  });

  it('follows fragments, and stops at a cycle instead of recursing forever', () => {
    expect(size('{ ...T } fragment T on Query { thing { id } }')).toEqual({ depth: 2, cost: 2 });
    expect(size('{ ...A } fragment A on Query { ...A thing { id } }')).toEqual({
      depth: 2,
      cost: 2,
    });
  });
});

describe('sizeLimitRule', () => {
  const check = (query: string, limits: { maxDepth: number; maxCost: number }) =>
    validate(schema, parse(query), [
      // The toy schema runs no SQL.
      sizeLimitRule({ ...limits, maxRootFields: 20 }, { Query: { items: 0, thing: 0, things: 0 } }),
    ]).map((e) => e.extensions.code);

  it('reports QUERY_TOO_COMPLEX past either limit, nothing within both', () => {
    const q = '{ things { id children { id } } }';
    expect(check(q, { maxDepth: 3, maxCost: 121 })).toEqual([]);
    expect(check(q, { maxDepth: 2, maxCost: 1000 })).toEqual(['QUERY_TOO_COMPLEX']);
    expect(check(q, { maxDepth: 10, maxCost: 120 })).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

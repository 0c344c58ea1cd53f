import { MetricsInputError } from '../input/metrics-input-error.ts';
import { checkSameLength, type Sensitive } from '../input/validate.ts';
import { type GroupIndex, groupIndex } from './group-index.ts';

/** One intersectional group: a value of each attribute, in the order of `attributes`. */
export type IntersectionGroup = readonly (string | number)[];

/**
 * Several sensitive attributes taken jointly (e.g. sex × age), factorised into one code per row.
 * The groups are every combination of the attributes' observed values, empty ones included
 * (count 0), as fairlearn's `MetricFrame.by_group` lists them.
 */
export interface IntersectionIndex {
  /** The attributes, in the order each group's values follow. */
  readonly attributes: readonly string[];
  /**
   * The cartesian product of each attribute's values (each sorted as groupIndex sorts them),
   * the first attribute varying slowest: pandas `MultiIndex.from_product` order.
   */
  readonly groups: readonly IntersectionGroup[];
  /** `codes[i]` is the position in `groups` of row i's combination. */
  readonly codes: Int32Array;
  /** Rows per group; 0 for a combination that no row has. */
  readonly counts: Float64Array;
}

/**
 * The most groups an intersection may have. The class × group counts hold numClasses × groups
 * cells per run, so 4096 groups at 1000 classes is already 100 MB per run; a product larger
 * than this is almost always an attribute with per-example values chosen by mistake.
 */
export const MAX_INTERSECTION_GROUPS = 4096;

/**
 * Factorise the attributes named in `attributes` (default: every key of `sensitive`, in its
 * order) jointly, as fairlearn's `MetricFrame(sensitive_features=DataFrame)` groups rows:
 * code = Σ_a code_a · Π_{b after a} |values_b| (mixed radix), so group order is the
 * lexicographic order of the attributes' own orders. With one attribute the groups are that
 * attribute's values (as 1-tuples) in groupIndex order, so every intersectional function
 * reduces to its single-attribute counterpart. O(attributes × rows).
 *
 * MetricsInputError names `attributes` (empty, repeated, or not a key of `sensitive`),
 * `sensitive.<name>` (length differs from the first attribute's, or a value groupIndex rejects)
 * or the product when it exceeds MAX_INTERSECTION_GROUPS.
 */
export function intersectionIndex(
  sensitive: Readonly<Record<string, Sensitive>>,
  attributes: readonly string[] = Object.keys(sensitive),
): IntersectionIndex {
  if (attributes.length === 0) {
    throw new MetricsInputError('attributes', 'name at least one sensitive attribute');
  }
  const seen = new Set<string>();
  const indices: GroupIndex[] = [];
  for (const name of attributes) {
    const values = Object.hasOwn(sensitive, name) ? sensitive[name] : undefined;
    if (values === undefined) {
      throw new MetricsInputError(
        'attributes',
        `'${name}' is not a sensitive attribute here; there are ${Object.keys(sensitive)
          .map((k) => `'${k}'`)
          .join(', ')}`,
      );
    }
    if (seen.has(name)) {
      throw new MetricsInputError('attributes', `'${name}' is named twice`);
    }
    seen.add(name);
    const first = attributes[0] as string;
    checkSameLength(
      `sensitive.${first}`,
      sensitive[first] as Sensitive,
      `sensitive.${name}`,
      values,
    );
    indices.push(groupIndex(values, `sensitive.${name}`));
  }
  let size = 1;
  for (const index of indices) size *= index.groups.length;
  if (size > MAX_INTERSECTION_GROUPS) {
    throw new MetricsInputError(
      'attributes',
      `${attributes.join(' × ')} has ${indices.map((x) => x.groups.length).join(' × ')} = ${size} groups, more than ${MAX_INTERSECTION_GROUPS}; intersect fewer attributes or coarser ones`,
    );
  }
  const n = indices[0]?.codes.length ?? 0;
  const codes = new Int32Array(n);
  // Horner's scheme over the attributes: codes = (…(c_1·k_2 + c_2)·k_3 + …) + c_A.
  for (const index of indices) {
    const k = index.groups.length;
    const own = index.codes;
    for (let i = 0; i < n; i++) codes[i] = (codes[i] as number) * k + (own[i] as number);
  }
  const counts = new Float64Array(size);
  for (let i = 0; i < n; i++)
    counts[codes[i] as number] = (counts[codes[i] as number] as number) + 1;
  return { attributes: [...attributes], groups: product(indices), codes, counts };
}

/** The cartesian product of the attributes' values, first attribute varying slowest. */
function product(indices: readonly GroupIndex[]): IntersectionGroup[] {
  let groups: (string | number)[][] = [[]];
  for (const index of indices) {
    const next: (string | number)[][] = [];
    for (const prefix of groups) for (const v of index.groups) next.push([...prefix, v]);
    groups = next;
  }
  return groups;
}

/** Whether `sensitive` is an already computed IntersectionIndex (to reuse one factorisation). */
export function isIntersectionIndex(
  sensitive: IntersectionIndex | Readonly<Record<string, Sensitive>>,
): sensitive is IntersectionIndex {
  return sensitive.codes instanceof Int32Array && Array.isArray(sensitive.attributes);
}

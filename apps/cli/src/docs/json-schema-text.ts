/**
 * A JSON Schema (as zod's `z.toJSONSchema` writes it) in the words the docs use: a field's type
 * with its bounds, and its default. Only the keywords zod emits for KDLens's schemas are read.
 */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [keyword: string]: unknown;
}

// z.int() without bounds writes the safe-integer range, which says nothing to a reader.
const SAFE = Number.MAX_SAFE_INTEGER;

/** `x` as inline code, with backticks inside it escaped the Markdown way. */
export function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A Markdown table cell: no line breaks, and a `|` that does not end the cell. */
export function cell(text: string): string {
  return text.replaceAll('\n', ' ').replaceAll('|', '\\|');
}

function bounds(s: JsonSchema): string {
  const low =
    s.exclusiveMinimum !== undefined
      ? { v: s.exclusiveMinimum, open: true }
      : s.minimum !== undefined && s.minimum > -SAFE
        ? { v: s.minimum, open: false }
        : undefined;
  const high =
    s.exclusiveMaximum !== undefined
      ? { v: s.exclusiveMaximum, open: true }
      : s.maximum !== undefined && s.maximum < SAFE
        ? { v: s.maximum, open: false }
        : undefined;
  if (low && high) return ` in ${low.open ? '(' : '['}${low.v}, ${high.v}${high.open ? ')' : ']'}`;
  if (low) return ` ${low.open ? '>' : '≥'} ${low.v}`;
  if (high) return ` ${high.open ? '<' : '≤'} ${high.v}`;
  return '';
}

/** The type of a value the schema accepts, e.g. `integer ≥ 1`, `"sgd" \| "adam"`, `list of string`. */
export function typeText(s: JsonSchema): string {
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map(typeText).join(' or ');
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(', ');
  switch (s.type) {
    case 'integer':
    case 'number':
      return `${s.type}${bounds(s)}`;
    case 'string': {
      const length = s.maxLength !== undefined ? ` (at most ${s.maxLength} characters)` : '';
      return `${s.format ?? 'string'}${length}`;
    }
    case 'array': {
      const count = s.minItems !== undefined && s.minItems > 0 ? `, at least ${s.minItems}` : '';
      return `list of ${s.items ? typeText(s.items) : 'values'}${count}`;
    }
    case 'object':
      return 'object';
    case 'boolean':
      return 'boolean';
    default:
      return 'any';
  }
}

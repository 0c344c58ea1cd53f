/** Next.js hands pages their query string as this record. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** One value of a query parameter (the first if repeated), or undefined when absent or empty. */
export function param(params: SearchParams, name: string): string | undefined {
  const value = params[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

/** `path?…` with the non-empty entries of `values`, so links keep the page's state. */
export function hrefWith(
  path: string,
  values: Record<string, string | number | undefined>,
): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Every non-empty value of a repeated query parameter (`?attribute=a&attribute=b`), in order. */
export function params(values: SearchParams, name: string): string[] {
  const value = values[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v) => v !== '');
}

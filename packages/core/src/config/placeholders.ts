/** `{resources.<parent>.<field>}`, `{incremental.start_value}` and dlt's older `{name}` form. */
const PLACEHOLDER = /\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}/g;

export type Placeholder =
  | { kind: 'parent'; raw: string; resource: string; field: string; known: boolean }
  | { kind: 'incremental'; raw: string; which: 'start_value' | 'end_value' | 'last_value' }
  | { kind: 'other'; raw: string; name: string };

const INCREMENTAL_VALUES = new Set(['start_value', 'end_value', 'last_value']);

function classify(inner: string, raw: string, resourceNames: readonly string[]): Placeholder {
  if (inner.startsWith('resources.')) {
    const rest = inner.slice('resources.'.length);
    // Resource names may contain dots: the longest defined name that fits wins.
    const match = [...resourceNames]
      .sort((a, b) => b.length - a.length)
      .find((name) => rest.startsWith(`${name}.`) && rest.length > name.length + 1);
    if (match)
      return { kind: 'parent', raw, resource: match, field: rest.slice(match.length + 1), known: true };
    const [resource = '', ...field] = rest.split('.');
    return { kind: 'parent', raw, resource, field: field.join('.'), known: false };
  }
  if (inner.startsWith('incremental.')) {
    const which = inner.slice('incremental.'.length);
    if (INCREMENTAL_VALUES.has(which)) {
      return { kind: 'incremental', raw, which: which as 'start_value' | 'end_value' | 'last_value' };
    }
  }
  return { kind: 'other', raw, name: inner };
}

export function findPlaceholders(text: string, resourceNames: readonly string[]): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => classify(m[1] as string, m[0], resourceNames));
}

/** Replaces each placeholder for which `value` returns a string; leaves the others as written. */
export function fillPlaceholders(
  text: string,
  resourceNames: readonly string[],
  value: (placeholder: Placeholder) => string | undefined,
): string {
  return text.replace(PLACEHOLDER, (raw, inner: string) => value(classify(inner, raw, resourceNames)) ?? raw);
}

/** Every string inside a JSON-like value, with its path. */
export function* stringsIn(value: unknown, path: PropertyKey[] = []): Generator<[string, PropertyKey[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value))
    for (const [i, item] of value.entries()) yield* stringsIn(item, [...path, i]);
  else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) yield* stringsIn(item, [...path, key]);
  }
}

/** Keys whose values are replaced whole, never merged key by key (merging two paginators is nonsense). */
const REPLACED_WHOLE = new Set([
  'paginator',
  'incremental',
  'auth',
  'schema',
  'hard_delete',
  'write_disposition',
  'response_actions',
  'processing_steps',
]);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * dlt's resource_defaults merge: the resource wins; plain objects (`endpoint`, `params`, `json`,
 * `headers`) merge key by key; lists, instances and the keys in REPLACED_WHOLE are replaced.
 * Typed, it merges two values parsed by one schema (defaults are a part of a resource), so the
 * result has the resource's type; cross-checks merge the raw input the same way.
 */
export function mergeDefaults<T extends Record<string, unknown>>(
  defaults: Partial<T> | undefined,
  resource: T,
): T;
export function mergeDefaults(
  defaults: Record<string, unknown> | undefined,
  resource: Record<string, unknown>,
): Record<string, unknown> {
  if (!defaults) return resource;
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(resource)) {
    if (value === undefined) continue;
    const base = out[key];
    out[key] =
      !REPLACED_WHOLE.has(key) && isPlainObject(base) && isPlainObject(value)
        ? mergeDefaults(base, value)
        : value;
  }
  return out;
}

import { deepMerge, isPlainObject } from '../config/merge.js';
import { UsageError } from '../errors.js';

/**
 * Deep-merges `overrides` over a rest_api config. `overrides.resources` may be a mapping from
 * resource name to the keys to change, e.g. `{ fees: { write_disposition: append } }`; a list
 * replaces the seed's resources.
 */
export function applyOverrides(
  config: Record<string, unknown>,
  overrides: Record<string, unknown> | undefined,
  where: string,
): Record<string, unknown> {
  if (!overrides) return config;
  const { resources: resourceOverrides, ...rest } = overrides;
  const merged = deepMerge(config, rest);
  if (resourceOverrides === undefined) return merged;
  if (Array.isArray(resourceOverrides)) return { ...merged, resources: resourceOverrides };
  if (!isPlainObject(resourceOverrides)) {
    throw new UsageError(
      `${where}.overrides.resources: expected a mapping from resource name to changes, or a list`,
    );
  }
  const resources = Array.isArray(merged.resources) ? [...merged.resources] : [];
  const names = resources.map((r) => (isPlainObject(r) ? String(r.name) : String(r)));
  for (const [name, change] of Object.entries(resourceOverrides)) {
    const index = names.indexOf(name);
    if (index === -1) {
      throw new UsageError(
        `${where}.overrides.resources.${name}: no such resource (the config has ${names.join(', ')})`,
      );
    }
    const current = resources[index];
    if (!isPlainObject(current)) {
      throw new UsageError(
        `${where}.overrides.resources.${name}: the resource is a bare name; write it out in full to override it`,
      );
    }
    resources[index] = deepMerge(current, change);
  }
  return { ...merged, resources };
}

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * A source package's options as written in YAML (snake_case, like the rest of the file) turned
 * into the package's TypeScript option names (camelCase). Header names and resource names are
 * data, not option names, so they keep their spelling.
 */
export function packageOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const name = camel(key);
    if (name === 'overrides' && isPlainObject(value)) {
      out.overrides = Object.fromEntries(
        Object.entries(value).map(([resource, o]) => [
          resource,
          isPlainObject(o) ? Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v])) : o,
        ]),
      );
    } else out[name] = value;
  }
  return out;
}

import { builtinAuthFactories } from '../auth/builtin.js';
import { authRegistry, authType, isAuthProvider, unknownAuthTypeMessage } from '../auth/create-auth.js';
import { isAuthPlugin } from '../auth/plugin.js';
import type { AuthFactory } from '../contracts.js';
import type { ConfigIssue } from '../errors/config-error.js';
import { authBlockIssues } from './auth-block.js';
import { type ConfigPath, formatPath, type PositionOf, toConfigIssues, withPosition } from './issues.js';
import { isPlainObject, mergeDefaults } from './merge.js';
import { findPlaceholders, stringsIn } from './placeholders.js';
import { closest } from './suggest.js';

/** A resource as written, merged with resource_defaults, shorthands expanded. Fields unchecked. */
export interface RawResource {
  index: number;
  name: string | undefined;
  merged: Record<string, unknown>;
  endpoint: Record<string, unknown>;
}

export function expandResources(config: Record<string, unknown>): RawResource[] {
  const resources = Array.isArray(config.resources) ? config.resources : [];
  const rawDefaults = isPlainObject(config.resource_defaults) ? config.resource_defaults : undefined;
  const defaults =
    rawDefaults && typeof rawDefaults.endpoint === 'string'
      ? { ...rawDefaults, endpoint: { path: rawDefaults.endpoint } }
      : rawDefaults;
  return resources.map((item, index) => {
    const resource = typeof item === 'string' ? { name: item } : isPlainObject(item) ? item : {};
    const own =
      typeof resource.endpoint === 'string'
        ? { ...resource, endpoint: { path: resource.endpoint } }
        : resource;
    const merged = mergeDefaults(defaults, own);
    const name = typeof merged.name === 'string' ? merged.name : undefined;
    const endpoint = isPlainObject(merged.endpoint) ? merged.endpoint : {};
    return { index, name, merged, endpoint };
  });
}

export interface CrossCheckResult {
  issues: ConfigIssue[];
  /** Parent of each resource (by index), when it has one. */
  parents: Map<number, { resource: string; fields: string[] }>;
}

/**
 * Checks that need the whole config: names, parents, placeholders, keys needed by dispositions,
 * the auth type, and the auth block against its plugin's schema.
 */
export function crossCheck(
  config: Record<string, unknown>,
  resources: RawResource[],
  options: { authFactories?: Record<string, AuthFactory>; positionOf?: PositionOf },
): CrossCheckResult {
  const issues: ConfigIssue[] = [];
  const add = (path: ConfigPath, message: string) =>
    issues.push(withPosition({ path: formatPath(path), message }, path, options.positionOf));
  const names = resources.map((r) => r.name).filter((n): n is string => n !== undefined);
  const parents = new Map<number, { resource: string; fields: string[] }>();

  const firstIndex = new Map<string, number>();
  for (const r of resources) {
    if (r.name === undefined) continue;
    const seen = firstIndex.get(r.name);
    if (seen === undefined) firstIndex.set(r.name, r.index);
    else
      add(
        ['resources', r.index, 'name'],
        `duplicate resource name "${r.name}" (already used by resources[${seen}])`,
      );
  }

  const unknownResource = (name: string) => {
    const suggestion = closest(name, names);
    return `refers to resource "${name}", which is not defined${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; defined resources: ${names.join(', ')}`;
  };

  for (const r of resources) {
    const at = (...path: PropertyKey[]) => ['resources', r.index, ...path];
    const referenced = new Map<string, Set<string>>();
    const params = isPlainObject(r.endpoint.params) ? r.endpoint.params : {};
    const resolveNames = new Set<string>();
    let incrementalParams = 0;
    for (const [param, value] of Object.entries(params)) {
      if (!isPlainObject(value)) continue;
      if (value.type === 'incremental') incrementalParams++;
      if (value.type === 'resolve' && typeof value.resource === 'string') {
        resolveNames.add(param);
        if (!names.includes(value.resource))
          add(at('endpoint', 'params', param, 'resource'), unknownResource(value.resource));
        else if (typeof value.field === 'string') {
          const fields = referenced.get(value.resource) ?? new Set();
          referenced.set(value.resource, fields.add(value.field));
        }
      }
    }
    if (incrementalParams > 1) add(at('endpoint', 'params'), 'only one param may be of type "incremental"');
    if (incrementalParams > 0 && r.endpoint.incremental !== undefined) {
      add(
        at('endpoint', 'incremental'),
        'incremental is set both here and as a param of type "incremental"; keep one',
      );
    }

    const places: Array<[unknown, PropertyKey[], 'path' | 'value']> = [
      [r.endpoint.path, ['endpoint', 'path'], 'path'],
      [params, ['endpoint', 'params'], 'value'],
      [r.endpoint.json, ['endpoint', 'json'], 'value'],
      [r.endpoint.headers, ['endpoint', 'headers'], 'value'],
    ];
    for (const [value, base, kind] of places) {
      for (const [text, subPath] of stringsIn(value)) {
        for (const placeholder of findPlaceholders(text, names)) {
          const where = at(...base, ...subPath);
          if (placeholder.kind === 'parent') {
            if (!placeholder.known && !names.includes(placeholder.resource)) {
              add(where, `placeholder ${placeholder.raw} ${unknownResource(placeholder.resource)}`);
            } else if (!placeholder.field) {
              add(where, `placeholder ${placeholder.raw} names no field; write {resources.<parent>.<field>}`);
            } else {
              const fields = referenced.get(placeholder.resource) ?? new Set();
              referenced.set(placeholder.resource, fields.add(placeholder.field));
            }
          } else if (placeholder.kind === 'other' && kind === 'path' && !resolveNames.has(placeholder.name)) {
            add(
              where,
              `unknown placeholder ${placeholder.raw}; expected {resources.<parent>.<field>}, {incremental.start_value} or a param of type "resolve" named "${placeholder.name}"`,
            );
          }
        }
      }
    }

    if (referenced.size > 1) {
      add(
        at('endpoint'),
        `a resource can have one parent, but this one refers to ${[...referenced.keys()].join(' and ')}`,
      );
    }
    const [parent] = referenced.entries();
    if (parent) {
      if (parent[0] === r.name) add(at('endpoint'), 'a resource cannot be its own parent');
      else parents.set(r.index, { resource: parent[0], fields: [...parent[1]] });
    } else if (Array.isArray(r.merged.include_from_parent) && r.merged.include_from_parent.length > 0) {
      add(
        at('include_from_parent'),
        'include_from_parent needs a parent: refer to one with {resources.<parent>.<field>}',
      );
    }

    const disposition = isPlainObject(r.merged.write_disposition)
      ? r.merged.write_disposition.disposition
      : (r.merged.write_disposition ?? 'append');
    const hasKey = r.merged.primary_key !== undefined;
    if (!hasKey && disposition === 'merge') {
      add(
        at('primary_key'),
        'write_disposition "merge" needs a primary_key (it becomes the Kafka message key)',
      );
    }
    if (!hasKey && r.merged.delete_detection === 'snapshot') {
      add(
        at('delete_detection'),
        'delete_detection "snapshot" needs a primary_key to know which keys disappeared',
      );
    }
    if (!hasKey && r.merged.hard_delete !== undefined) {
      add(at('hard_delete'), 'hard_delete needs a primary_key: a delete is a tombstone for a key');
    }
  }

  // A parent chain must end: a -> b -> a would never start.
  const byName = new Map(resources.map((r) => [r.name, r.index]));
  for (const [index] of parents) {
    const chain: string[] = [];
    let current: number | undefined = index;
    while (current !== undefined && parents.has(current)) {
      const name = resources[current]?.name ?? '';
      if (chain.includes(name)) {
        if (current === index)
          add(['resources', index, 'endpoint'], `parent cycle: ${[...chain, name].join(' -> ')}`);
        break;
      }
      chain.push(name);
      current = byName.get(parents.get(current)?.resource);
    }
  }

  const client = isPlainObject(config.client) ? config.client : {};
  if (isPlainObject(client.auth) && !isAuthProvider(client.auth)) {
    const registry = authRegistry(options.authFactories);
    const type = authType(client.auth);
    const factory = registry[type];
    if (!factory) add(['client', 'auth', 'type'], unknownAuthTypeMessage(type, registry));
    // A built-in's block was checked with the client (schema.ts), unless a factory replaced it.
    else if (isAuthPlugin(factory) && factory !== builtinAuthFactories[type]) {
      // The plugin owns its keys and rules: its issues are placed in the file like any other.
      const found = authBlockIssues(factory, client.auth).map((issue) => ({
        ...issue,
        path: ['client', 'auth', ...issue.path],
      }));
      issues.push(...toConfigIssues(found, config, options.positionOf));
    }
  }
  return { issues, parents };
}

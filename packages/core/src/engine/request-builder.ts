import { type RequestSpec, readField } from '@siphon/paginators';
import type { NormalizedResource, SecretLike } from '../config/normalized.js';
import { fillPlaceholders, type Placeholder } from '../config/placeholders.js';
import type { JsonRecord } from '../contracts.js';
import { ExtractError } from '../errors/extract-error.js';
import { SiphonError } from '../errors/siphon-error.js';
import type { ApiClient } from '../http/api-client.js';
import { Secret, SecretRef } from '../secrets/secret.js';
import { paramText } from './values.js';

export interface RequestContext {
  parent?: { name: string; record: JsonRecord; position: string };
  incremental?: { start_value: unknown; end_value: unknown; last_value: unknown };
}

export interface BuiltRequest {
  spec: RequestSpec;
  headers: Record<string, string | Secret>;
}

const WHOLE_PLACEHOLDER = /^\{[A-Za-z_][\w-]*(?:\.[\w-]+)*\}$/;

/** Builds the first request of a walk: placeholders filled, params as text, incremental params set. */
export function buildRequest(
  resource: NormalizedResource,
  client: ApiClient,
  resourceNames: readonly string[],
  context: RequestContext,
): BuiltRequest {
  const placeholderValue = (placeholder: Placeholder): unknown => {
    if (placeholder.kind === 'parent' && context.parent) {
      const value = readField(context.parent.record, placeholder.field);
      if (value === undefined || value === null) {
        throw new ExtractError(
          resource.name,
          `${context.parent.position} of parent "${context.parent.name}" has no value for ${placeholder.raw}`,
          { code: 'PARENT_FIELD_MISSING' },
        );
      }
      return value;
    }
    if (placeholder.kind === 'incremental' && context.incremental) {
      const value = context.incremental[placeholder.which];
      return value === undefined ? '' : value;
    }
    return undefined;
  };
  const fill = (text: string, encode: boolean) =>
    fillPlaceholders(text, resourceNames, (p) => {
      const value = placeholderValue(p);
      if (value === undefined) return undefined;
      return encode ? encodeURIComponent(paramText(value)) : paramText(value);
    });

  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(resource.endpoint.params)) {
    if (value === null || value === undefined) continue;
    if (value instanceof Secret) params[name] = value.reveal();
    else if (value instanceof SecretRef)
      throw new SiphonError(`unresolved secret reference ${value.name}`, { code: 'SECRET_UNRESOLVED' });
    else params[name] = typeof value === 'string' ? fill(value, false) : String(value);
  }
  const incremental = resource.incremental;
  if (incremental && context.incremental) {
    const convert = incremental.convert ?? ((v: unknown) => v);
    const { start_value: start, end_value: end } = context.incremental;
    if (incremental.startParam && start !== undefined)
      params[incremental.startParam] = paramText(convert(start));
    if (incremental.endParam && end !== undefined) params[incremental.endParam] = paramText(convert(end));
  }

  const fillJson = (value: unknown): unknown => {
    if (value instanceof Secret) return value.reveal();
    if (typeof value === 'string') {
      if (WHOLE_PLACEHOLDER.test(value)) {
        // A value that is only a placeholder keeps the parent field's type (a number stays a number).
        let typed: unknown;
        fillPlaceholders(value, resourceNames, (p) => {
          typed = placeholderValue(p);
          return undefined;
        });
        if (typed !== undefined) return typed;
      }
      return fill(value, false);
    }
    if (Array.isArray(value)) return value.map(fillJson);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v)]));
    }
    return value;
  };

  const headers: Record<string, string | Secret> = {};
  for (const [name, value] of Object.entries(resource.endpoint.headers as Record<string, SecretLike>)) {
    if (value instanceof SecretRef)
      throw new SiphonError(`unresolved secret reference ${value.name}`, { code: 'SECRET_UNRESOLVED' });
    headers[name] = typeof value === 'string' ? fill(value, false) : value;
  }

  const spec: RequestSpec = {
    url: client.resolveUrl(fill(resource.endpoint.path, true)),
    params,
    ...(resource.endpoint.json === undefined
      ? {}
      : { json: fillJson(resource.endpoint.json) as Record<string, unknown> }),
  };
  return { spec, headers };
}

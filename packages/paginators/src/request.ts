import { compileDefinitePath } from './json-path/compile-path.js';
import { readSegments, type Segment, writeSegments } from './json-path/segments.js';
import { truncate } from './redact.js';
import type { RequestSpec } from './types.js';

/** Where a paginator puts one of its values: a query parameter or a place in the JSON body. */
export type RequestTarget =
  | { kind: 'param'; name: string }
  | { kind: 'body'; path: string; segments: readonly Segment[] };

export function queryParam(name: string): RequestTarget {
  return { kind: 'param', name };
}

export function bodyPath(path: string): RequestTarget {
  return { kind: 'body', path, segments: compileDefinitePath(path) };
}

/** The body path when given, else the query parameter (`param ?? fallback`). */
export function targetOf(
  param: string | undefined,
  body: string | undefined,
  fallback: string,
): RequestTarget {
  return body !== undefined ? bodyPath(body) : queryParam(param ?? fallback);
}

/** A new request with `value` at `target`; the given request is left untouched. */
export function withValue(request: RequestSpec, target: RequestTarget, value: string | number): RequestSpec {
  if (target.kind === 'param') {
    return { ...request, params: { ...request.params, [target.name]: String(value) } };
  }
  const json = writeSegments(request.json ?? {}, target.segments, value) as Record<string, unknown>;
  return { ...request, json };
}

export function readValue(request: RequestSpec, target: RequestTarget): unknown {
  return target.kind === 'param' ? request.params[target.name] : readSegments(request.json, target.segments);
}

/** `page=3` or `json.query.cursor="abc"`: how a position is named in messages. */
export function describeValue(target: RequestTarget, value: unknown): string {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return target.kind === 'param'
    ? `${target.name}=${truncate(shown)}`
    : `json.${target.path}=${truncate(shown)}`;
}

/** Cursor values go on the wire as text; anything but a string or number is a bad cursor. */
export function isCursorValue(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

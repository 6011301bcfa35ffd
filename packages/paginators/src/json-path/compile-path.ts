import { JSONPath } from 'jsonpath-plus';
import { JsonPathError } from '../errors/json-path-error.js';
import { assertJsonPathSyntax } from './jsonpath-syntax.js';
import { parseDefinitePath, readSegments, type Segment } from './segments.js';

/**
 * Reads a value out of a parsed JSON body. A definite path (no wildcard, filter, slice, union or
 * recursive descent) gives the value or `undefined`; any other JSONPath gives the array of matches.
 */
export type CompiledPath = (value: unknown) => unknown;

const AIRBYTE_TEMPLATE = /^\{\{\s*(.*?)\s*\}\}$/s;
const RESPONSE_PREFIX = /^response(?=$|[.[])/;

/**
 * Compiles a path once, so it can be applied to every page cheaply. Accepts:
 * - dotted paths: `meta.next_page`, `a.0.b`, `a[0]['b c']`;
 * - Airbyte-style paths rooted at the response: `response.meta.next_page`, `{{ response.meta.next_page }}`.
 *   If the body itself has a top-level `response` key, that key is read instead (dlt semantics);
 * - JSONPath: `$.data[*]`, `$..items`, `$.data[?(@.active)]` (jsonpath-plus, safe eval). A dotted
 *   path with a wildcard (`data[*].items`) is read as JSONPath too, as dlt does.
 * Throws {@link JsonPathError} on bad syntax, so call it while validating a config.
 */
export function compilePath(path: string): CompiledPath {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new JsonPathError(String(path), 'a path must be a non-empty string');
  }
  const text = path.trim().replace(AIRBYTE_TEMPLATE, '$1');
  if (text === '') throw new JsonPathError(path, 'a path must be a non-empty string');
  if (RESPONSE_PREFIX.test(text)) {
    const literal = compileBody(path, text);
    const rest = text.slice('response'.length).replace(/^\./, '');
    const rooted = rest === '' ? (value: unknown) => value : compileBody(path, rest);
    return (value) => (hasOwnResponseKey(value) ? literal(value) : rooted(value));
  }
  return compileBody(path, text);
}

/** Parses a path that must name one place, e.g. where to write a cursor in a JSON request body. */
export function compileDefinitePath(path: string): Segment[] {
  const text = path.trim();
  if (text === '') throw new JsonPathError(path, 'a path must be a non-empty string');
  const segments = definiteSegments(path, text);
  if (segments === undefined || segments.length === 0) {
    throw new JsonPathError(path, 'expected a path to a single place, such as "page" or "query.cursor"');
  }
  return segments;
}

function compileBody(source: string, text: string): CompiledPath {
  const segments = definiteSegments(source, text);
  if (segments !== undefined) return (value) => readSegments(value, segments);
  const expression = asJsonPath(text);
  return (value) => {
    if (value === null || typeof value !== 'object') return [];
    try {
      return JSONPath({ path: expression, json: value, eval: 'safe', wrap: true }) as unknown[];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new JsonPathError(source, `evaluation failed: ${message}`, { cause: error });
    }
  };
}

/** Segments of a definite path, or `undefined` for JSONPath-only syntax (validated here). */
function definiteSegments(source: string, text: string): Segment[] | undefined {
  if (text.startsWith('$')) {
    assertJsonPathSyntax(text);
    try {
      return parseDefinitePath(source, stripRoot(text));
    } catch {
      return undefined;
    }
  }
  try {
    const segments = parseDefinitePath(source, text);
    if (segments === undefined) assertJsonPathSyntax(asJsonPath(text));
    return segments;
  } catch (dottedError) {
    // `a..b` is not a dotted path but is valid JSONPath (dlt's data_selector dialect).
    try {
      assertJsonPathSyntax(asJsonPath(text));
    } catch {
      throw dottedError;
    }
    return undefined;
  }
}

function asJsonPath(text: string): string {
  return text.startsWith('$') ? text : text.startsWith('[') ? `$${text}` : `$.${text}`;
}

function stripRoot(text: string): string {
  if (!text.startsWith('$')) return text;
  return text.slice(1).replace(/^\./, '');
}

function hasOwnResponseKey(value: unknown): boolean {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'response')
  );
}

/**
 * Compiles the path of a field in a record: a primary key, an incremental cursor, a parent field,
 * a processing or hard-delete rule. One rule for all of them: a key spelled exactly as the path
 * wins (`"meta.id"` or `"@odata.id"` as one name); otherwise the path is read as `compilePath`
 * reads it (`meta.id`, `a[0]['b c']`, JSONPath), without the `response.` root of response bodies;
 * a name that is no path (`order id`) is only a key as written.
 */
export function compileFieldPath(path: string): CompiledPath {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new JsonPathError(String(path), 'a path must be a non-empty string');
  }
  let read: CompiledPath;
  try {
    read = compileBody(path, path.trim());
  } catch {
    // Not a path (`order id`): it can only be a key as written.
    read = () => undefined;
  }
  return (value) =>
    value !== null && typeof value === 'object' && Object.hasOwn(value, path)
      ? (value as Record<string, unknown>)[path]
      : read(value);
}

/**
 * Where a field path leads in `record`, by the rule of `compileFieldPath`: the key as written when
 * the record has it, else the path's segments. For writing; the path must name a single place.
 */
export function fieldPathKeys(record: object, path: string): Segment[] {
  if (Object.hasOwn(record, path)) return [path];
  try {
    return compileDefinitePath(path);
  } catch {
    return [path];
  }
}

const compiledFields = new Map<string, CompiledPath>();

/** Reads a field path (see `compileFieldPath`), compiling each distinct path once. */
export function readField(record: unknown, path: string): unknown {
  let read = compiledFields.get(path);
  if (read === undefined) {
    read = compileFieldPath(path);
    // Paths come from configs: few and fixed. The bound only guards against unbounded input.
    if (compiledFields.size < 10_000) compiledFields.set(path, read);
  }
  return read(record);
}

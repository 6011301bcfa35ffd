import { JsonPathError } from '../errors/json-path-error.js';

/** One step of a definite path: an object key or an array index. */
export type Segment = string | number;

/**
 * Parses a definite path written as dots and brackets, e.g. `meta.next_page`, `a.0.b`,
 * `a[0]['b c']`. Numeric dotted segments are kept as strings and read as indexes on arrays.
 * Returns `undefined` when the path uses JSONPath-only syntax (wildcards, filters, slices, unions,
 * recursive descent): the caller then hands it to the JSONPath engine.
 */
export function parseDefinitePath(source: string, text: string = source): Segment[] | undefined {
  const segments: Segment[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonPathError(source, `${what} at character ${i + 1}`);
  };
  while (i < text.length) {
    const char = text[i];
    if (char === '[') {
      const close = findBracketEnd(text, i, fail);
      const inner = text.slice(i + 1, close).trim();
      const quoted = /^(['"])(.*)\1$/s.exec(inner);
      if (quoted) segments.push(unescapeQuoted(quoted[2] ?? ''));
      else if (/^\d+$/.test(inner)) segments.push(Number(inner));
      else if (inner === '') fail('empty brackets');
      else return undefined;
      i = close + 1;
      if (i < text.length && text[i] !== '.' && text[i] !== '[') fail(`expected "." or "[" after "]"`);
      if (text[i] === '.') {
        i += 1;
        if (i >= text.length) fail('path ends with "."');
      }
      continue;
    }
    if (char === '.') fail('empty segment');
    let end = i;
    while (end < text.length && text[end] !== '.' && text[end] !== '[') end += 1;
    const name = text.slice(i, end);
    if (/\s/.test(name)) fail('whitespace in a path segment');
    if (name.includes('*')) return undefined;
    segments.push(name);
    i = end;
    if (text[i] === '.') {
      i += 1;
      if (text[i] === '.') return undefined;
      if (i >= text.length) fail('path ends with "."');
    }
  }
  return segments;
}

function findBracketEnd(text: string, open: number, fail: (what: string) => never): number {
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i += 1) {
    const char = text[i];
    if (quote) {
      if (char === '\\') i += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === ']') return i;
  }
  return fail('unclosed "["');
}

function unescapeQuoted(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** Reads a definite path. Numeric segments index arrays; anything missing (or inherited) gives `undefined`. */
export function readSegments(value: unknown, segments: readonly Segment[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      if (index < 0) return undefined;
      current = current[index];
    } else {
      // Own keys only: `constructor` or `__proto__` is no field of a JSON object.
      const key = String(segment);
      if (!Object.hasOwn(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
  }
  return current;
}

/** Returns a copy of `target` with `value` set at `segments`, copying only the objects on the way. */
export function writeSegments(target: unknown, segments: readonly Segment[], value: unknown): unknown {
  const [head, ...rest] = segments;
  if (head === undefined) return value;
  if (Array.isArray(target) && typeof head === 'number') {
    const copy = [...target];
    copy[head] = writeSegments(copy[head], rest, value);
    return copy;
  }
  const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? target : {};
  const key = String(head);
  return { ...base, [key]: writeSegments((base as Record<string, unknown>)[key], rest, value) };
}

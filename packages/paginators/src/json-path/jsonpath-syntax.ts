import { JSONPath } from 'jsonpath-plus';
import { JsonPathError } from '../errors/json-path-error.js';

/**
 * Checks a `$`-rooted JSONPath expression before it is used.
 * Hand-written because jsonpath-plus accepts malformed input silently (`$.data[` or `$]` select
 * something instead of failing), and a typo in a config must fail at validation, not at page 1000.
 * Filter expressions are then parsed by jsonpath-plus itself (safe eval) against a probe value.
 */
export function assertJsonPathSyntax(path: string): void {
  const fail = (at: number, what: string): never => {
    throw new JsonPathError(path, `${what} at character ${at + 1}`);
  };
  if (path[0] !== '$') fail(0, 'a JSONPath expression must start with "$"');
  let i = 1;
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      const recursive = path[i + 1] === '.';
      i += recursive ? 2 : 1;
      if (recursive && path[i] === '[') continue;
      const start = i;
      while (i < path.length && path[i] !== '.' && path[i] !== '[') i += 1;
      const name = path.slice(start, i);
      if (name === '') fail(start, 'expected a name or "*" after "."');
      if (/\s/.test(name)) fail(start, `whitespace in name ${JSON.stringify(name)}`);
    } else if (char === '[') {
      i = checkBracket(path, i, fail);
    } else {
      fail(i, `unexpected ${JSON.stringify(char)}; expected "." or "["`);
    }
  }
  probeFilters(path);
}

/** Checks one `[...]` selector and returns the index after its `]`. */
function checkBracket(path: string, open: number, fail: (at: number, what: string) => never): number {
  let i = skipSpaces(path, open + 1);
  if (path[i] === '?' || path[i] === '(') {
    if (path[i] === '?') i = skipSpaces(path, i + 1);
    if (path[i] !== '(') fail(i, 'expected "(" after "?"');
    i = skipParens(path, i, fail);
    i = skipSpaces(path, i);
    if (path[i] !== ']') fail(i, 'expected "]" after the expression');
    return i + 1;
  }
  for (;;) {
    i = skipSpaces(path, i);
    const char = path[i];
    if (char === "'" || char === '"') {
      i = skipQuoted(path, i, fail);
    } else if (char === '*') {
      i += 1;
    } else {
      const match = /^-?\d*(?::-?\d*){0,2}/.exec(path.slice(i));
      const token = match?.[0] ?? '';
      if (token === '' || token === '-') fail(i, 'expected an index, slice, quoted name or "*" inside "[]"');
      i += token.length;
    }
    i = skipSpaces(path, i);
    if (path[i] === ',') {
      i += 1;
      continue;
    }
    if (path[i] === ']') return i + 1;
    return i >= path.length
      ? fail(open, 'unclosed "["')
      : fail(i, `unexpected ${JSON.stringify(path[i])} in "[]"`);
  }
}

function skipSpaces(path: string, i: number): number {
  let at = i;
  while (path[at] === ' ') at += 1;
  return at;
}

function skipQuoted(path: string, open: number, fail: (at: number, what: string) => never): number {
  const quote = path[open];
  for (let i = open + 1; i < path.length; i += 1) {
    if (path[i] === '\\') i += 1;
    else if (path[i] === quote) return i + 1;
  }
  return fail(open, 'unclosed quote');
}

/** Skips a balanced `( ... )`, minding quoted strings; returns the index after `)`. */
function skipParens(path: string, open: number, fail: (at: number, what: string) => never): number {
  let depth = 0;
  for (let i = open; i < path.length; i += 1) {
    const char = path[i];
    if (char === "'" || char === '"') i = skipQuoted(path, i, fail) - 1;
    else if (char === '(') depth += 1;
    else if (char === ')') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return fail(open, 'unbalanced "("');
}

/**
 * Runs every filter once against an empty object, so jsonpath-plus parses it. Its parse errors
 * ("Expected expression after ==") are syntax errors; errors it prefixes with "jsonPath:" come from
 * evaluating against the probe (a missing field) and are fine.
 */
function probeFilters(path: string): void {
  for (const match of path.matchAll(/\[\s*\?\s*\(/g)) {
    const start = match.index + match[0].length - 1;
    const end = skipParens(path, start, () => {
      throw new JsonPathError(path, 'unbalanced "("');
    });
    const filter = path.slice(start, end);
    try {
      JSONPath({ path: `$[?${filter}]`, json: [{}], eval: 'safe' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!message.startsWith('jsonPath:')) {
        throw new JsonPathError(path, `bad filter ${filter}: ${message}`, { cause: error });
      }
    }
  }
}

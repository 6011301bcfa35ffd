import { createRequire } from 'node:module';
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { ConfigError } from '../errors/config-error.js';
import type { ConfigPath, SourcePosition } from './issues.js';
import { parsePythonConfig } from './python-literal.js';

export type ConfigFormat = 'json' | 'yaml' | 'python';

// Loaded on first use: a TS or Python config never needs the YAML parser (13 MB of RSS).
let yamlModule: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlModule;
};

export interface ParsedConfigText {
  value: unknown;
  format: ConfigFormat;
  /** 1-based line where the value at `path` is written, when known. */
  lineOf(path: ConfigPath): number | undefined;
  /** 1-based line and column where the value at `path` is written, when known. */
  positionOf(path: ConfigPath): SourcePosition | undefined;
  /** What the text came from, for messages (a file name, say). */
  source: string | undefined;
}

export interface ParseTextOptions {
  format?: ConfigFormat;
  /** File name or label for messages; its extension picks the format when `format` is not given. */
  source?: string;
}

/** Picks the format from the file extension, else from the text itself. */
export function detectFormat(text: string, source?: string): ConfigFormat {
  const extension = source?.toLowerCase().match(/\.(json|ya?ml|py|md)$/)?.[1];
  if (extension === 'json') return 'json';
  if (extension === 'yaml' || extension === 'yml') return 'yaml';
  if (extension === 'py' || extension === 'md') return 'python';
  if (/\brest_api_source\s*\(/.test(text) || /^\s*(import|from)\s+\w/m.test(text)) return 'python';
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

/** JSON's own wording for its syntax errors, e.g. "trailing comma", "expected a property name". */
const JSON_ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after the property name',
  CommaExpected: 'expected "," between entries',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected text after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'invalid number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string',
};

/** A JSON syntax error: what is wrong (in JSON's terms) and where. */
export interface JsonSyntaxError extends SourcePosition {
  message: string;
}

/**
 * The first syntax error of a JSON text, by JSON's rules (no trailing comma, no comment, double
 * quotes only), or undefined when the text is valid JSON.
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return undefined;
  const code = printParseErrorCode(first.error);
  // A closing bracket right after a comma: JSON's most common mistake, named as such, at the comma.
  const trailingComma = /[}\]]/.test(text[first.offset] ?? '') && /,\s*$/.test(text.slice(0, first.offset));
  const offset = trailingComma ? text.lastIndexOf(',', first.offset) : first.offset;
  const message = trailingComma ? 'trailing comma' : (JSON_ERROR_TEXT[code] ?? code);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { message, line, column };
}

/**
 * Parses config text: JSON, YAML, or the Python of a dlt script (`rest_api_source({...})`, also
 * inside a Markdown code block). JSON is checked by JSON's rules, then read through the YAML
 * parser (JSON is YAML), so every later validation error can point at its line and column.
 */
export function parseConfigText(text: string, options: ParseTextOptions = {}): ParsedConfigText {
  const format = options.format ?? detectFormat(text, options.source);
  if (format === 'python') {
    const parsed = parsePythonConfig(text, options.source);
    return { ...parsed, format, source: options.source };
  }
  if (format === 'json') {
    const error = jsonSyntaxError(text);
    if (error) {
      throw new ConfigError(
        [
          {
            path: '',
            message: `JSON syntax error: ${error.message}`,
            line: error.line,
            column: error.column,
          },
        ],
        {
          ...(options.source ? { source: options.source } : {}),
        },
      );
    }
  }
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      // After the first syntax error the parser mostly reports its consequences.
      document.errors.slice(0, 1).map((error) => ({
        path: '',
        message: `YAML syntax error: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
        ...(error.linePos?.[0] ? { line: error.linePos[0].line, column: error.linePos[0].col } : {}),
      })),
      { ...(options.source ? { source: options.source } : {}) },
    );
  }
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  const positionOf = (path: ConfigPath): SourcePosition | undefined => {
    const node = path.length === 0 ? document.contents : document.getIn(path as unknown[], true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (!range) return undefined;
    const { line, col } = lineCounter.linePos(range[0]);
    return { line, column: col };
  };
  return {
    value,
    format,
    source: options.source,
    lineOf(path) {
      return positionOf(path)?.line;
    },
    positionOf,
  };
}

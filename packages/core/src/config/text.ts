import { createRequire } from 'node:module';
import { ConfigError } from '../errors/config-error.js';
import type { ConfigPath } from './issues.js';
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

/**
 * Parses config text: JSON, YAML, or the Python of a dlt script (`rest_api_source({...})`, also
 * inside a Markdown code block). JSON goes through the YAML parser too, so every later validation
 * error can point at its line.
 */
export function parseConfigText(text: string, options: ParseTextOptions = {}): ParsedConfigText {
  const format = options.format ?? detectFormat(text, options.source);
  if (format === 'python') {
    const parsed = parsePythonConfig(text, options.source);
    return { ...parsed, format, source: options.source };
  }
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      // After the first syntax error the parser mostly reports its consequences.
      document.errors.slice(0, 1).map((error) => ({
        path: '',
        message: `${format === 'json' ? 'JSON' : 'YAML'} syntax error: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`,
        ...(error.linePos?.[0] ? { line: error.linePos[0].line } : {}),
      })),
      { ...(options.source ? { source: options.source } : {}) },
    );
  }
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  return {
    value,
    format,
    source: options.source,
    lineOf(path) {
      const node = path.length === 0 ? document.contents : document.getIn(path as unknown[], true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      return range ? lineCounter.linePos(range[0]).line : undefined;
    },
  };
}

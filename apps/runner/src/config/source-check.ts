import { readFile } from 'node:fs/promises';
import { oauth2Auth } from '@siphon/auth-oauth2';
import {
  ConfigError,
  type ConfigIssue,
  kindName,
  type PositionOf,
  parseConfigText,
  type SourcePosition,
  validateConfig,
} from '@siphon/core';
import type { FileIssue } from '../errors.js';
import { UsageError } from '../errors.js';
import { applyOverrides, packageOptions } from '../pipeline/source-config.js';
import { sourcePlugins } from '../sources/built-in.js';
import { formatPath, type KeyPath } from './key-path.js';
import { isPlainObject } from './merge.js';
import type { ParsedSourceConfig, SourceConfig } from './schema.js';

/** The pipelines' source blocks (by index in the file), and where each key path is written. */
export interface LocatedPipelines {
  sources: ReadonlyArray<{ index: number; source: SourceConfig }>;
  locate(keyPath: KeyPath): SourcePosition | undefined;
  has(keyPath: KeyPath): boolean;
}

// Validation checks an oauth2 block against the plugin's schema; it never creates the auth.
const authFactories = { oauth2: oauth2Auth };

/**
 * Parses every pipeline's source config (inline `rest_api`, `rest_api_file`, a package's
 * `options`) and places each problem where the user wrote it: in the pipelines file for inline
 * configs, options and overrides, in the seed file (YAML, JSON or Python) for `rest_api_file`.
 * Key paths are spelled as in the file (snake_case options). Each config that parses is returned
 * (by the pipeline's index in the file), for the pipeline to build its source from.
 */
export async function checkSources(
  file: LocatedPipelines,
): Promise<{ issues: FileIssue[]; parsed: Map<number, ParsedSourceConfig> }> {
  const issues: FileIssue[] = [];
  const parsed = new Map<number, ParsedSourceConfig>();
  for (const { index, source } of file.sources) {
    const keep = (config: ParsedSourceConfig) => parsed.set(index, config);
    issues.push(...(await checkSource(file, source, ['pipelines', index, 'source'], keep)));
  }
  return { issues, parsed };
}

async function checkSource(
  file: LocatedPipelines,
  source: SourceConfig,
  here: KeyPath,
  keep: (parsed: ParsedSourceConfig) => void,
): Promise<FileIssue[]> {
  const inFile = (keyPath: KeyPath, message: string): FileIssue => ({
    path: formatPath(keyPath),
    message,
    ...file.locate(keyPath),
  });

  if (source.package !== undefined) {
    const plugin = sourcePlugins.get(source.package, formatPath([...here, 'package']));
    let built: Record<string, unknown>;
    try {
      built = plugin.build(packageOptions(source.options ?? {})) as unknown as Record<string, unknown>;
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      return error.issues.flatMap((issue) =>
        optionIssues(issue).map(({ keyPath, message }) => inFile([...here, 'options', ...keyPath], message)),
      );
    }
    try {
      keep({ config: validateConfig(built, { authFactories }) });
      return [];
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      // Options the package passes through unchecked (an override's write_disposition, say).
      return error.issues.map((issue) => {
        const keyPath = parsePath(issue.path);
        const resource = keyPath[0] === 'resources' ? resourceName(built, keyPath[1]) : undefined;
        const at = resource && [...here, 'options', 'overrides', resource, ...keyPath.slice(2)];
        if (at && file.has(at)) return inFile(at, issue.message);
        return inFile([...here, 'options'], `${issue.path}: ${issue.message}`);
      });
    }
  }

  let config: Record<string, unknown> | string;
  let seed: string | undefined;
  if (source.rest_api !== undefined) config = source.rest_api;
  else {
    seed = source.rest_api_file as string;
    try {
      config = await readFile(seed, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code;
      return [inFile([...here, 'rest_api_file'], `cannot read ${seed}: ${reason ?? 'unreadable'}`)];
    }
  }
  const origin: KeyPath = [...here, seed === undefined ? 'rest_api' : 'rest_api_file'];
  let validated: Record<string, unknown> | string = config;
  let seedPosition: PositionOf | undefined;
  if (source.overrides) {
    try {
      let parsed: unknown = config;
      if (typeof config === 'string') {
        const text = parseConfigText(config, { source: seed as string });
        parsed = text.value;
        seedPosition = text.positionOf;
      }
      validated = applyOverrides(parsed as Record<string, unknown>, source.overrides, '');
    } catch (error) {
      if (ConfigError.isInstance(error)) return error.issues.map((issue) => placed(issue, undefined));
      if (error instanceof UsageError) {
        // applyOverrides names the key first: ".overrides.resources.x: no such resource ..."
        const [, keys = '', message = error.message] = /^\.?([^:]*): (.*)$/s.exec(error.message) ?? [];
        return [inFile([...here, ...parsePath(keys)], message)];
      }
      throw error;
    }
  }
  try {
    const config = validateConfig(validated, {
      authFactories,
      ...(seed === undefined ? {} : { source: seed }),
    });
    keep({ config, ...(seed === undefined ? {} : { configSource: seed }) });
    return [];
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    return error.issues.map((issue) => placed(issue, typeof validated === 'object' ? validated : undefined));
  }

  /** An issue of the rest_api config: at the override that set it, else where the config has it. */
  function placed(issue: ConfigIssue, merged: Record<string, unknown> | undefined): FileIssue {
    const keyPath = parsePath(issue.path);
    const override = merged && overridePath(keyPath, merged, source.overrides);
    if (override && file.has([...here, ...override])) return inFile([...here, ...override], issue.message);
    if (seed === undefined) return inFile([...origin, ...keyPath], issue.message);
    // Validated after overrides, the issue has no position of its own: take it from the seed text.
    const position = issue.line === undefined ? nearest(seedPosition, keyPath) : issue;
    return {
      file: seed,
      path: issue.path,
      message: issue.message,
      ...(position?.line === undefined ? {} : { line: position.line }),
      ...(position?.column === undefined ? {} : { column: position.column }),
    };
  }
}

function nearest(positionOf: PositionOf | undefined, keyPath: KeyPath): SourcePosition | undefined {
  for (let n = keyPath.length; positionOf && n >= 0; n--) {
    const position = positionOf(keyPath.slice(0, n));
    if (position) return position;
  }
  return undefined;
}

/** Where `overrides` sets the value at a config path: `resources[2].x` is `overrides.resources.<name>.x`. */
function overridePath(
  keyPath: KeyPath,
  merged: Record<string, unknown>,
  overrides: Record<string, unknown> | undefined,
): KeyPath | undefined {
  if (!overrides) return undefined;
  if (keyPath[0] === 'resources' && !Array.isArray(overrides.resources)) {
    const name = resourceName(merged, keyPath[1]);
    return name === undefined ? undefined : ['overrides', 'resources', name, ...keyPath.slice(2)];
  }
  return ['overrides', ...keyPath];
}

/** The name of `resources[index]` in a rest_api config. */
function resourceName(
  config: Record<string, unknown>,
  index: string | number | undefined,
): string | undefined {
  if (typeof index !== 'number') return undefined;
  const resource = (config.resources as unknown[] | undefined)?.[index];
  const name = isPlainObject(resource) ? resource.name : resource;
  return typeof name === 'string' ? name : undefined;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A source package's option issue (camelCase, as the package's TS API names them) in the
 * pipelines file's spelling. Resource and header names are data and keep theirs. An unknown-option
 * issue names its keys in the text; each becomes an issue at its own key.
 */
function optionIssues(issue: ConfigIssue): Array<{ keyPath: KeyPath; message: string }> {
  const segments = issue.path === '(options)' || issue.path === '' ? [] : issue.path.split('.');
  const keyPath = segments.map((segment, i) =>
    segments[i - 1] === 'overrides' || segments[i - 1] === 'headers' ? segment : snake(segment),
  );
  const message = issue.message
    .replace(/\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g, snake)
    // zod's own wording, for the options the package did not word itself.
    .replace(/^Invalid input: expected (\w+), received (\w+)$/, (_, expected: string, received: string) =>
      received === 'undefined'
        ? `is required (${kindName(expected)})`
        : `expected ${kindName(expected)}, got ${kindName(received)}`,
    );
  const unknown = /^unknown options? ((?:"[^"]+"(?:, )?)+); (.*)$/.exec(message);
  if (!unknown) return [{ keyPath, message }];
  const keys = [...(unknown[1] as string).matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
  return keys.map((key) => ({ keyPath: [...keyPath, key], message: `unknown option; ${unknown[2]}` }));
}

/** `resources[0].endpoint.paginator` as keys. */
function parsePath(text: string): KeyPath {
  return [...text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] === undefined ? (m[1] as string) : Number(m[2]),
  );
}

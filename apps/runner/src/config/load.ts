import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { jsonSyntaxError, kindName, kindOf, type SourcePosition } from '@siphon/core';
import { isMap, isNode, isPair, isScalar, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { type FileIssue, PipelinesFileError, UsageError } from '../errors.js';
import { InterpolationError, interpolate, isSensitiveKey } from './interpolate.js';
import { formatPath, type KeyPath } from './key-path.js';
import { deepMerge, isPlainObject } from './merge.js';
import {
  DEFAULTS_KEYS,
  FILE_KEYS,
  type PipelineConfig,
  pipelineSchema,
  type SourceConfig,
  sourceSchema,
} from './schema.js';
import { checkSources, type LocatedPipelines } from './source-check.js';

export interface PipelinesFile {
  /** Absolute path of the file. */
  file: string;
  pipelines: PipelineConfig[];
  /** Values that came from secret files or sensitive environment variables: never to be logged. */
  secretValues: Set<string>;
  /** Where the value at a key path (or its closest written ancestor) is in the file. */
  locate(keyPath: KeyPath): SourcePosition | undefined;
  /** Whether the file itself writes the key path (not only an ancestor of it). */
  has(keyPath: KeyPath): boolean;
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Receives each secret value as soon as interpolation reads it, before validation can fail. */
  onSecret?: (value: string) => void;
}

/** Keys whose value in a pipeline replaces the default instead of merging with it. */
const REPLACED_KEYS = new Set(['state', 'schedule', 'source', 'resources', 'secrets', 'weights']);

/**
 * Reads, interpolates and validates a pipelines file (YAML or JSON). Every problem is reported
 * at once, each with the file, line and key path; values are never echoed, so an error cannot
 * leak a secret.
 */
export async function loadPipelinesFile(file: string, options: LoadOptions = {}): Promise<PipelinesFile> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    throw new UsageError(`cannot read pipelines file ${absolute}: ${reason}`);
  }
  const parsed = parsePipelines(text, absolute, options);
  // The source configs (inline, seed files, package options) are part of the config too: checked
  // for every pipeline whose source block is readable, so all problems show at once.
  const checked = parsed.sources ? await checkSources(parsed.sources) : undefined;
  const issues = [...parsed.issues, ...(checked?.issues ?? [])];
  if (issues.length > 0 || !parsed.loaded) throw new PipelinesFileError(absolute, issues);
  // Each source is built from the config parsed here: it is not read or parsed again.
  parsed.loaded.pipelines.forEach((pipeline, n) => {
    const parsedSource = checked?.parsed.get(parsed.indexes[n] ?? -1);
    if (parsedSource) pipeline.parsedSource = parsedSource;
  });
  return parsed.loaded;
}

/** Parses and validates the pipelines file itself (not the source configs it names). */
export function parsePipelinesText(text: string, file: string, options: LoadOptions = {}): PipelinesFile {
  const parsed = parsePipelines(text, file, options);
  if (parsed.issues.length > 0 || !parsed.loaded) throw new PipelinesFileError(file, parsed.issues);
  return parsed.loaded;
}

interface Parsed {
  issues: FileIssue[];
  /** The index in the file's `pipelines` list of each loaded pipeline. */
  indexes: number[];
  /** The file, when it has no problem of its own. */
  loaded?: PipelinesFile;
  /** Every pipeline source block that is valid in itself, for the source config checks. */
  sources?: LocatedPipelines;
}

function parsePipelines(text: string, file: string, options: LoadOptions): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues: FileIssue[] = [];
  const at = (node: { range?: [number, number, number] | null } | null | undefined) => {
    if (!node?.range) return {};
    const pos = lineCounter.linePos(node.range[0]);
    return { line: pos.line, column: pos.col };
  };

  const jsonError = file.endsWith('.json') ? jsonSyntaxError(text) : undefined;
  if (jsonError) {
    const { message, line, column } = jsonError;
    return { issues: [{ path: '', message: `invalid JSON: ${message}`, line, column }], indexes: [] };
  }
  const sourceLines = text.split('\n');
  // The first few syntax errors: later ones are usually echoes of the first.
  for (const error of doc.errors.slice(0, 3)) {
    const pos = lineCounter.linePos(error.pos[0]);
    const lineText = sourceLines[pos.line - 1] ?? '';
    const hint = /\{[^}]*\$\{/.test(lineText) ? ` (hint: inside { } put "$\{...}" in quotes)` : '';
    issues.push({
      path: '',
      message: `invalid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${error.message.split('\n')[0]}${hint}`,
      line: pos.line,
      column: pos.col,
    });
  }
  if (issues.length > 0) return { issues, indexes: [] };

  const secretValues = new Set<string>();
  const context = {
    env: options.env ?? process.env,
    baseDir: path.dirname(file),
    onSecret: (value: string) => {
      if (value.length >= 4) secretValues.add(value);
      options.onSecret?.(value);
    },
  };
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const parent = ancestors[ancestors.length - 1];
      const keyName = isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : '';
      try {
        node.value = interpolate(node.value, context, isSensitiveKey(keyName));
      } catch (error) {
        if (!(error instanceof InterpolationError)) throw error;
        issues.push({ path: keyPathOf(ancestors, node), message: error.message, ...at(node) });
      }
    },
  });
  if (issues.length > 0) return { issues, indexes: [] };

  const root: unknown = doc.toJS({ maxAliasCount: 100 });
  const lineOf = (keyPath: KeyPath) => at(nodeAt(doc.contents, keyPath));
  const reported = new Set<string>();
  const report = (keyPath: KeyPath, message: string) => {
    const key = `${formatPath(keyPath)}\n${message}`;
    if (reported.has(key)) return;
    reported.add(key);
    issues.push({ path: formatPath(keyPath), message, ...lineOf(nearestExisting(doc.contents, keyPath)) });
  };

  if (!isPlainObject(root)) {
    report([], 'expected a mapping with a "pipelines" list');
    return { issues, indexes: [] };
  }
  for (const key of Object.keys(root)) {
    if (!FILE_KEYS.includes(key)) report([key], `unknown key (expected ${FILE_KEYS.join(', ')})`);
  }
  const defaults: Record<string, unknown> = {};
  if (root.defaults !== undefined && !isPlainObject(root.defaults))
    report(['defaults'], 'expected a mapping');
  else {
    for (const [key, value] of Object.entries(root.defaults ?? {})) {
      // An unknown key is reported here once, and left out so that every other problem shows too.
      if (DEFAULTS_KEYS.includes(key)) defaults[key] = value;
      else report(['defaults', key], `unknown key (expected ${DEFAULTS_KEYS.join(', ')})`);
    }
  }
  const list = root.pipelines;
  if (!Array.isArray(list) || list.length === 0) {
    report(['pipelines'], 'expected a non-empty list of pipelines');
    return { issues, indexes: [] };
  }

  const pipelines: PipelineConfig[] = [];
  const indexes: number[] = [];
  const sources: Array<{ index: number; source: SourceConfig }> = [];
  const seen = new Map<string, number>();
  (list as unknown[]).forEach((entry, index) => {
    const here: KeyPath = ['pipelines', index];
    if (!isPlainObject(entry)) {
      report(here, 'expected a mapping with name and source');
      return;
    }
    const merged: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(defaults)) merged[key] = value;
    for (const [key, value] of Object.entries(entry)) {
      merged[key] = REPLACED_KEYS.has(key) ? value : deepMerge(merged[key], value);
    }
    const sourceResult = sourceSchema.safeParse(merged.source);
    if (sourceResult.success) {
      const source = sourceResult.data;
      if (source.rest_api_file !== undefined) {
        source.rest_api_file = path.resolve(path.dirname(file), source.rest_api_file);
      }
      sources.push({ index, source });
    }
    const result = pipelineSchema.safeParse(merged);
    if (!result.success) {
      // zod skips an object's refinements once a sibling failed; the source's own checks matter most.
      const sourceIssues = sourceResult.success
        ? []
        : flattenIssues(sourceResult.error.issues, merged.source).map((i) => ({
            ...i,
            path: ['source', ...i.path],
          }));
      for (const issue of [...sourceIssues, ...flattenIssues(result.error.issues, merged)]) {
        const own = [...here, ...issue.path];
        const fromDefaults = ['defaults', ...issue.path];
        const where = nodeAt(doc.contents, own) || !nodeAt(doc.contents, fromDefaults) ? own : fromDefaults;
        report(where, issue.message);
      }
      return;
    }
    const pipeline = result.data;
    const first = seen.get(pipeline.name);
    if (first !== undefined) {
      report([...here, 'name'], `duplicate pipeline name "${pipeline.name}" (also pipelines[${first}])`);
      return;
    }
    seen.set(pipeline.name, index);
    if (pipeline.source.rest_api_file !== undefined) {
      pipeline.source.rest_api_file = path.resolve(path.dirname(file), pipeline.source.rest_api_file);
    }
    for (const value of Object.values(pipeline.secrets)) if (value.length >= 4) secretValues.add(value);
    pipelines.push(pipeline);
    indexes.push(index);
  });
  const locate = (keyPath: KeyPath) => {
    const position = at(nodeAt(doc.contents, nearestExisting(doc.contents, keyPath)));
    return position.line === undefined ? undefined : (position as SourcePosition);
  };
  const has = (keyPath: KeyPath) => nodeAt(doc.contents, keyPath) !== undefined;
  return {
    issues,
    indexes,
    sources: { sources, locate, has },
    ...(issues.length === 0 ? { loaded: { file, pipelines, secretValues, locate, has } } : {}),
  };
}

/**
 * Zod issues as (path, message), one per unknown key so each points at its own line. `input` is
 * the validated value: zod's issues do not carry it, and "missing" differs from "wrong type".
 */
function flattenIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): Array<{ path: KeyPath; message: string }> {
  const out: Array<{ path: KeyPath; message: string }> = [];
  for (const issue of issues) {
    const base = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const value = valueAt(input, base);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...base, key], message: 'unknown key' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const typeErrors = issue.errors.map((branch) => branch.find((i) => i.path.length === 0));
      if (value !== undefined && typeErrors.every((i) => i?.code === 'invalid_type')) {
        // No branch accepts a value of this type: name every type that would do.
        const expected = [
          ...new Set(typeErrors.map((i) => kindName((i as z.core.$ZodIssueInvalidType).expected))),
        ];
        out.push({ path: base, message: `expected ${expected.join(' or ')}, got ${kindOf(value)}` });
        continue;
      }
      // Report the branch that got furthest rather than zod's generic "Invalid input".
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
      const nested = flattenIssues(
        best.map((i) => ({ ...i, path: [...base, ...i.path] }) as z.core.$ZodIssue),
        input,
      );
      out.push(...(nested.length > 0 ? nested : [{ path: base, message: issue.message }]));
    } else {
      out.push({ path: base, message: readableMessage(issue, value) });
    }
  }
  return out;
}

function valueAt(root: unknown, keyPath: KeyPath): unknown {
  let value = root;
  for (const key of keyPath) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 0.5)));
}

function readableMessage(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type') {
    return value === undefined
      ? `is required (${kindName(issue.expected)})`
      : `expected ${kindName(issue.expected)}, got ${kindOf(value)}`;
  }
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

function nodeAt(contents: unknown, keyPath: KeyPath): Node | undefined {
  let node: unknown = contents;
  for (const key of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      node = pair?.value ?? (pair ? pair.key : undefined);
    } else if (isNode(node) && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      node = typeof key === 'number' ? (node as { items: unknown[] }).items[key] : undefined;
    } else return undefined;
    if (node === undefined || node === null) return undefined;
  }
  return isNode(node) ? node : undefined;
}

function nearestExisting(contents: unknown, keyPath: KeyPath): KeyPath {
  for (let n = keyPath.length; n > 0; n--) {
    const prefix = keyPath.slice(0, n);
    if (nodeAt(contents, prefix)) return prefix;
  }
  return [];
}

function keyPathOf(ancestors: readonly unknown[], node: unknown): string {
  const keys: KeyPath = [];
  let child: unknown = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const parent = ancestors[i];
    if (isPair(parent)) {
      if (isScalar(parent.key)) keys.unshift(String(parent.key.value));
    } else if (isNode(parent) && 'items' in parent && !isMap(parent)) {
      const index = (parent as { items: unknown[] }).items.indexOf(child);
      if (index >= 0) keys.unshift(index);
    }
    child = parent;
  }
  return formatPath(keys);
}

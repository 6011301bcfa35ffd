import { paginatorConfigSchema } from '@siphon/paginators';
import type { z } from 'zod';
import type { ConfigIssue } from '../errors/config-error.js';
import { kindName, kindOf } from '../vocabulary.js';
import { didYouMean } from './suggest.js';

export type ConfigPath = ReadonlyArray<PropertyKey>;

/** 1-based line and column in a config text. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Where the value at a path is written, when the config came from text. */
export type PositionOf = (path: ConfigPath) => SourcePosition | undefined;

/** `resources[3].endpoint.paginator.type` */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export function valueAt(root: unknown, path: ConfigPath): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key as string];
  }
  return current;
}

/** Values under these keys are never echoed in messages: they may be credentials. */
function isSensitive(path: ConfigPath): boolean {
  return path.some((key) => key === 'auth' || key === 'headers' || key === 'params' || key === 'json');
}

function shown(value: unknown, path: ConfigPath): string {
  if (isSensitive(path)) return kindOf(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return kindOf(value);
}

// zod's built-in messages; anything else was written by us (or the paginators package) and is kept.
const defaultMessage =
  /^(Invalid input|Invalid option|Too small|Too big|Unrecognized key|Invalid (string|number))/;

/** Keys a paginator config of the given type may have (for "did you mean"). */
function paginatorKeys(config: unknown): string[] {
  const type = (config as { type?: unknown } | undefined)?.type;
  for (const option of paginatorConfigSchema.options) {
    if (option.shape.type.safeParse(type).success) return Object.keys(option.shape);
  }
  return [];
}

/** A zod issue's path (an unknown key's own, when it is one) and text in config words; never echoes a secret. */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown): { path: ConfigPath; text: string } {
  const path = issue.path;
  const value = valueAt(input, path);
  if (issue.code === 'unrecognized_keys') {
    const target = issue.keys.length === 1 ? [...path, issue.keys[0] as string] : path;
    if (!defaultMessage.test(issue.message)) {
      const last = path[path.length - 1];
      const hint =
        last === 'paginator' && issue.keys.length === 1
          ? didYouMean(issue.keys[0] as string, paginatorKeys(value))
          : '';
      return { path: target, text: hint ? issue.message.replace(/;/, `${hint};`) : issue.message };
    }
    return { path: target, text: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` };
  }
  if (!defaultMessage.test(issue.message)) return { path, text: issue.message };
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? {
            path,
            text: `missing required key "${String(path[path.length - 1] ?? '')}" (expected ${kindName(issue.expected)})`,
          }
        : { path, text: `expected ${kindName(issue.expected)}, got ${shown(value, path)}` };
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      const got = value === undefined ? 'nothing' : shown(value, path);
      return { path, text: `expected ${issue.values.length === 1 ? '' : 'one of '}${allowed}; got ${got}` };
    }
    case 'too_small':
      if (issue.origin === 'array') return { path, text: `expected at least ${issue.minimum} item(s)` };
      if (issue.origin === 'string') return { path, text: 'must not be empty' };
      return {
        path,
        text: `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}, got ${shown(value, path)}`,
      };
    case 'too_big':
      return {
        path,
        text: `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}, got ${shown(value, path)}`,
      };
    default:
      return { path, text: issue.message };
  }
}

/** Turns zod issues into config issues with dlt-style paths, clear texts and, when known, positions. */
export function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  positionOf?: PositionOf,
): ConfigIssue[] {
  return issues.map((issue) => {
    const { path, text } = issueMessage(issue, input);
    return withPosition({ path: formatPath(path), message: text }, path, positionOf);
  });
}

export function withPosition(issue: ConfigIssue, path: ConfigPath, positionOf?: PositionOf): ConfigIssue {
  if (!positionOf) return issue;
  // Point at the closest ancestor present in the text (a missing key has no line of its own).
  for (let depth = path.length; depth >= 0; depth--) {
    const position = positionOf(path.slice(0, depth));
    if (position !== undefined) return { ...issue, line: position.line, column: position.column };
  }
  return issue;
}

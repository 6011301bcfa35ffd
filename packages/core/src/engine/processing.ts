import { isDeepStrictEqual } from 'node:util';
import { compileFieldPath, fieldPathKeys, readField } from '@siphon/paginators';
import type { NormalizedStep } from '../config/normalized.js';
import type { FilterRule, MapRule } from '../config/types.js';
import type { JsonRecord } from '../contracts.js';
import { ExtractError } from '../errors/extract-error.js';

/** Applies a resource's processing steps in order; returns undefined when a filter drops the record. */
export type RecordPipeline = (record: JsonRecord) => JsonRecord | undefined;

export function compileSteps(resource: string, steps: readonly NormalizedStep[]): RecordPipeline {
  const compiled = steps.map((step, index) => compileStep(resource, step, index));
  if (compiled.length === 0) return (record) => record;
  return (record) => {
    let current: JsonRecord | undefined = record;
    for (const step of compiled) {
      current = step(current);
      if (current === undefined) return undefined;
    }
    return current;
  };
}

function compileStep(resource: string, step: NormalizedStep, index: number): RecordPipeline {
  const where = `processing_steps[${index}]`;
  const guard =
    (run: RecordPipeline): RecordPipeline =>
    (record) => {
      try {
        return run(record);
      } catch (error) {
        if (ExtractError.isInstance(error)) throw error;
        throw new ExtractError(resource, `${where} threw: ${(error as Error).message}`, {
          code: 'PROCESSING_STEP_FAILED',
          cause: error,
        });
      }
    };
  if ('filter' in step) {
    const filter = step.filter;
    const keep = typeof filter === 'function' ? filter : compileFilter(filter);
    return guard((record) => (keep(record) ? record : undefined));
  }
  const map = step.map;
  const transform = typeof map === 'function' ? map : compileMap(map);
  return guard((record) => {
    const out = transform(record);
    if (typeof out !== 'object' || out === null || Array.isArray(out)) {
      throw new ExtractError(
        resource,
        `${where}: map must return a record object, got ${out === null ? 'null' : typeof out}`,
        {
          code: 'PROCESSING_STEP_FAILED',
        },
      );
    }
    return out;
  });
}

function compileFilter(rule: FilterRule): (record: JsonRecord) => boolean {
  const read = compileFieldPath(rule.path);
  if (rule.exists !== undefined) return (record) => (read(record) !== undefined) === rule.exists;
  if (rule.in !== undefined) {
    const values = rule.in;
    return (record) => values.some((v) => isDeepStrictEqual(read(record), v));
  }
  if (rule.not_in !== undefined) {
    const values = rule.not_in;
    return (record) => !values.some((v) => isDeepStrictEqual(read(record), v));
  }
  if ('not_equals' in rule) return (record) => !isDeepStrictEqual(read(record), rule.not_equals);
  return (record) => isDeepStrictEqual(read(record), rule.equals);
}

/** Field paths follow one rule everywhere (`compileFieldPath`): a key as written, else the path. */
const getPath = (record: JsonRecord, path: string): unknown => readField(record, path);

/** Copies objects along the path, so the input record is never mutated. */
function updatePath(
  record: JsonRecord,
  path: string,
  update: (parent: Record<string, unknown>, key: string) => void,
): JsonRecord {
  const keys = fieldPathKeys(record, path).map(String);
  const root: JsonRecord = { ...record };
  let parent: Record<string, unknown> = root;
  for (const key of keys.slice(0, -1)) {
    const next = parent[key];
    const copy =
      typeof next === 'object' && next !== null && !Array.isArray(next)
        ? { ...(next as Record<string, unknown>) }
        : {};
    parent[key] = copy;
    parent = copy;
  }
  update(parent, keys[keys.length - 1] as string);
  return root;
}

function compileMap(rule: MapRule): (record: JsonRecord) => JsonRecord {
  return (record) => {
    let out = record;
    for (const [from, to] of Object.entries(rule.rename ?? {})) {
      const value = getPath(out, from);
      if (value === undefined) continue;
      out = updatePath(out, from, (parent, key) => {
        delete parent[key];
      });
      out = updatePath(out, to, (parent, key) => {
        parent[key] = value;
      });
    }
    for (const path of rule.drop ?? []) {
      if (getPath(out, path) === undefined) continue;
      out = updatePath(out, path, (parent, key) => {
        delete parent[key];
      });
    }
    for (const [path, value] of Object.entries(rule.set ?? {})) {
      out = updatePath(out, path, (parent, key) => {
        parent[key] = value;
      });
    }
    return out;
  };
}

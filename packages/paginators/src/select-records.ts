import { DataSelectorError } from './errors/data-selector-error.js';
import { type CompiledPath, compilePath } from './json-path/compile-path.js';

/** Keys that usually hold the records when a body has several array fields. */
const COMMON_RECORD_KEYS = ['data', 'items', 'results', 'records', 'entries', 'rows', 'values', 'objects'];

/**
 * Returns the records of a response body.
 * With a selector (dotted path or JSONPath, or one compiled with {@link compilePath}): the array it
 * selects; an object selected alone is one record. Without one, the records are found: an array
 * body, else its only array-valued top-level field, else the first of `data`, `items`, `results`,
 * `records`, `entries`, `rows`, `values`, `objects` holding an array.
 * Throws {@link DataSelectorError}, listing the body's top-level keys, when nothing fits.
 */
export function selectRecords(body: unknown, dataSelector?: string | CompiledPath): unknown[] {
  if (dataSelector === undefined) return detectRecords(body);
  const select = typeof dataSelector === 'string' ? compiled(dataSelector) : dataSelector;
  const selected = select(body);
  if (Array.isArray(selected)) return selected;
  if (selected !== null && typeof selected === 'object') return [selected];
  const name = typeof dataSelector === 'string' ? JSON.stringify(dataSelector) : 'the data_selector';
  const found = selected === undefined ? 'nothing' : `${describe(selected)} instead of an array of records`;
  throw new DataSelectorError(
    `data_selector ${name} selected ${found}; ${keysHint(body)}`,
    topLevelKeys(body),
  );
}

/** Selectors compiled so far: a config has few, and each is applied to every page. */
const cache = new Map<string, CompiledPath>();

function compiled(selector: string): CompiledPath {
  let select = cache.get(selector);
  if (select === undefined) {
    select = compilePath(selector);
    if (cache.size >= 256) cache.clear();
    cache.set(selector, select);
  }
  return select;
}

function detectRecords(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body === null || typeof body !== 'object') {
    throw new DataSelectorError(
      `the response body is ${describe(body)}, not an object or array holding records`,
      [],
    );
  }
  const fields = body as Record<string, unknown>;
  const arrayKeys = Object.keys(fields).filter((key) => Array.isArray(fields[key]));
  if (arrayKeys.length === 1) return fields[arrayKeys[0] as string] as unknown[];
  const common = COMMON_RECORD_KEYS.find((key) => Array.isArray(fields[key]));
  if (common !== undefined) return fields[common] as unknown[];
  const why =
    arrayKeys.length === 0
      ? 'no top-level field holds an array'
      : `several top-level fields hold arrays (${arrayKeys.join(', ')})`;
  throw new DataSelectorError(
    `cannot tell where the records are: ${why}; set data_selector (${keysHint(body)})`,
    topLevelKeys(body),
  );
}

function topLevelKeys(body: unknown): string[] {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
}

function keysHint(body: unknown): string {
  if (Array.isArray(body)) return 'the body is an array';
  const keys = topLevelKeys(body);
  if (keys.length === 0) return `the body is ${describe(body)}`;
  const shown = keys.slice(0, 20).join(', ');
  return `top-level keys: ${shown}${keys.length > 20 ? `, … (${keys.length} in all)` : ''}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 40))})`;
  return `${typeof value} ${String(value)}`;
}

/**
 * The enumerated words of a Siphon config, each list written once: every schema, type and check
 * takes its values (and the "expected ..." of its messages) from here.
 */

/** How a resource's records land in its topic (dlt's `write_disposition`). */
export const WRITE_DISPOSITIONS = ['append', 'merge', 'replace'] as const;

/** The strategies dlt names for each write disposition (accepted, with the same effect on a topic). */
export const WRITE_STRATEGIES = {
  merge: ['delete-insert', 'upsert'],
  replace: ['truncate-and-insert', 'insert-from-staging', 'staging-optimized'],
  append: [],
} as const satisfies Record<(typeof WRITE_DISPOSITIONS)[number], readonly string[]>;

/** dlt-style schema contract for a value whose type changes or a field that appears. */
export const SCHEMA_CONTRACT_MODES = ['evolve', 'freeze', 'discard_row', 'discard_value'] as const;

/** Whether a packaged source's resource looks for deleted records by reading every page. */
export const DELETE_DETECTIONS = ['snapshot', 'none'] as const;

/** `expected "a", "b" or "c"`: the message of a value that is not one of `values`. */
export function expectedOneOf(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  const last = quoted.pop();
  return quoted.length === 0 ? `expected ${last}` : `expected ${quoted.join(', ')} or ${last}`;
}

/**
 * The words for kinds of values in a config file's messages, in the terms of its YAML reader
 * ("a mapping", "a list"), keyed by zod's type names (`object`, `array`, `int`, ...).
 */
const KIND_NAMES: Readonly<Record<string, string>> = {
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

/** A zod type name (an expected or received type) in a config file's words: `object` → "a mapping". */
export function kindName(type: string): string {
  return KIND_NAMES[type] ?? type;
}

/** The kind of a value, in a config file's words; never the value itself (it may be a secret). */
export function kindOf(value: unknown): string {
  if (value === null) return kindName('null');
  if (Array.isArray(value)) return kindName('array');
  return kindName(typeof value);
}

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

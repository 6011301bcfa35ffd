import { z } from 'zod';
import { didYouMean } from './suggest.js';

/**
 * dlt keys that Siphon recognises but does not support, with what to do instead. Rejecting them
 * with a reason beats ignoring them silently.
 */
const unsupportedDltKeys: Record<string, string> = {
  table_name: 'each resource becomes one topic named after the resource',
  columns: 'declare the value schema with "schema" (an Avro record schema)',
  max_table_nesting: 'records are kept nested, as Avro records and arrays',
  table_format: 'there are no tables: records go to Kafka',
  file_format: 'there are no files: records go to Kafka',
  merge_key: 'the Kafka message key is the primary_key',
  parallelized: 'resources already run concurrently (see max_concurrency)',
  references: 'declare parents with {resources.<parent>.<field>} placeholders',
  nested_hints: 'records are kept nested, as Avro records and arrays',
};

export function unknownKeysMessage(
  keys: readonly string[],
  allowed: readonly string[],
  what?: string,
): string {
  const parts = keys.map((key) => {
    const reason = unsupportedDltKeys[key];
    if (reason) return `"${key}" is a dlt option that Siphon does not support: ${reason}`;
    return `unknown key "${key}"${what ? ` in ${what}` : ''}${didYouMean(key, allowed)}`;
  });
  return `${parts.join('; ')}; allowed keys: ${allowed.join(', ')}`;
}

/**
 * A strict object: unknown keys are errors that suggest the closest allowed key and list them all.
 * `typeError` replaces zod's "expected object" message.
 */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S, what?: string, typeError?: string) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return unknownKeysMessage(issue.keys, allowed, what);
      if (issue.code === 'invalid_type' && typeError) return typeError;
      return undefined;
    },
  });
}

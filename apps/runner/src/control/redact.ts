import type { Redaction } from '@siphon/core';

/**
 * The one place API responses are redacted: core's `Redaction`, the same as the logs and every
 * other output (secret-named keys masked at any depth, known secret values and credential shapes
 * scrubbed from every string).
 */
export function redactedJson(value: unknown, redaction: Redaction): string {
  return JSON.stringify(redaction.object(value));
}

import { asSecretRef } from '../secrets/dlt.js';
import { isPlainObject } from './merge.js';

/** Turns the file forms of secret references (`dlt.secrets["x"]`, `{ "$secret": "x" }`) into `SecretRef`s. */
export function markSecretRefs(value: unknown): unknown {
  const ref = asSecretRef(value);
  if (ref) return ref;
  if (Array.isArray(value)) return value.map(markSecretRefs);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = markSecretRefs(item);
    return out;
  }
  return value;
}

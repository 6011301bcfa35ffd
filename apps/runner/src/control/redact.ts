import { SECRET_KEYS } from '../logging/logger.js';
import { type SecretValues, scrubCredentials } from '../logging/secret-values.js';

const SECRET_KEY_SET = new Set(SECRET_KEYS);

/**
 * The one place API responses are redacted, with the logs' rules: values under a secret key are
 * censored at any depth, then the serialized text is scrubbed of every secret value the process
 * knows and of credential patterns. (When core gets its redaction module, only this changes.)
 */
export function redactedJson(value: unknown, secrets: SecretValues): string {
  const text = JSON.stringify(value, (key, v: unknown) =>
    key !== '' && SECRET_KEY_SET.has(key) && v !== null && v !== undefined ? '[redacted]' : v,
  );
  return scrubCredentials(secrets.scrub(text));
}

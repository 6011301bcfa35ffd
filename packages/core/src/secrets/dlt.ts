import { SiphonError } from '../errors/siphon-error.js';
import { SecretRef } from './secret.js';

/**
 * Lets a TS config be written exactly like dlt's Python: `token: dlt.secrets["api_key"]` yields
 * a `SecretRef` that the source resolves through its secrets providers when it starts.
 */
export const dlt: { readonly secrets: Readonly<Record<string, SecretRef>> } = Object.freeze({
  secrets: new Proxy(Object.freeze({}) as Record<string, SecretRef>, {
    get(_target, key) {
      return typeof key === 'string' ? new SecretRef(key) : undefined;
    },
    set() {
      throw new SiphonError('dlt.secrets is read-only here: provide secrets through a SecretsProvider', {
        code: 'SECRETS_READ_ONLY',
      });
    },
  }),
});

/** How a secret reference is written in a config file, for messages. */
export const SECRET_HINT = 'a secret reference (dlt.secrets["key"] or {"$secret": "key"})';

const secretStringPattern = /^\s*dlt\.secrets\[\s*(["'])([^"'\]]+)\1\s*\]\s*$/;

/** Recognises the secret-reference forms allowed in JSON/YAML configs. */
export function asSecretRef(value: unknown): SecretRef | undefined {
  if (value instanceof SecretRef) return value;
  if (typeof value === 'string') {
    const match = secretStringPattern.exec(value);
    return match?.[2] ? new SecretRef(match[2]) : undefined;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const name = (value as Record<string, unknown>).$secret;
    if (keys.length === 1 && typeof name === 'string' && name.length > 0) return new SecretRef(name);
  }
  return undefined;
}

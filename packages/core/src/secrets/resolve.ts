import { SecretNotFoundError } from '../errors/secret-error.js';
import type { SecretsProvider } from './providers.js';
import { Secret, SecretRef } from './secret.js';

/**
 * Returns a copy of `value` with every `SecretRef` replaced by a `Secret`. All references are
 * resolved before failing, so one error lists every missing key.
 */
export async function resolveSecretRefs<T>(value: T, provider: SecretsProvider): Promise<T> {
  const refs = new Map<string, Secret | undefined>();
  collectRefs(value, refs);
  const missing: string[] = [];
  await Promise.all(
    [...refs.keys()].map(async (name) => {
      const resolved = await provider.get(name);
      if (resolved === undefined) missing.push(name);
      else refs.set(name, new Secret(name, resolved));
    }),
  );
  if (missing.length > 0) {
    missing.sort();
    throw new SecretNotFoundError(
      missing.map((name) => ({ name, lookedIn: [provider.describe?.(name) ?? 'a custom secrets provider'] })),
    );
  }
  return replaceRefs(value, refs) as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function collectRefs(value: unknown, into: Map<string, Secret | undefined>): void {
  if (value instanceof SecretRef) into.set(value.name, undefined);
  else if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (isPlainObject(value)) for (const item of Object.values(value)) collectRefs(item, into);
}

function replaceRefs(value: unknown, refs: Map<string, Secret | undefined>): unknown {
  if (value instanceof SecretRef) return refs.get(value.name);
  if (Array.isArray(value)) return value.map((item) => replaceRefs(item, refs));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = replaceRefs(item, refs);
    return out;
  }
  return value;
}

/** Every revealed secret value in a tree, so messages can be scrubbed of them. */
export function collectSecretValues(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (value instanceof Secret) into.add(value.reveal());
  else if (Array.isArray(value)) for (const item of value) collectSecretValues(item, into);
  else if (isPlainObject(value)) for (const item of Object.values(value)) collectSecretValues(item, into);
  return into;
}

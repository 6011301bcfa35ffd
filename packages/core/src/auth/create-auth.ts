import { toConfigIssues } from '../config/issues.js';
import type { AuthFactory, AuthFactoryContext, AuthProvider } from '../contracts.js';
import { ConfigError } from '../errors/config-error.js';
import { SiphonError } from '../errors/siphon-error.js';
import { Secret } from '../secrets/secret.js';
import { builtinAuthFactories, knownExternalAuth } from './builtin.js';
import { isAuthPlugin } from './plugin.js';

export function isAuthProvider(value: unknown): value is AuthProvider {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AuthProvider).apply === 'function' &&
    typeof (value as AuthProvider).describe === 'function'
  );
}

/** All auth types available: built-ins plus the caller's factories (which may override them). */
export function authRegistry(factories: Record<string, AuthFactory> = {}): Record<string, AuthFactory> {
  return { ...builtinAuthFactories, ...factories };
}

/** The error text for an auth type nobody registered; names every known type and where `oauth2` lives. */
export function unknownAuthTypeMessage(type: string, registry: Record<string, AuthFactory>): string {
  const known = Object.keys(registry).sort();
  const hints = Object.entries(knownExternalAuth)
    .filter(([name]) => !(name in registry))
    .map(([name, where]) => `"${name}" needs ${where}`);
  return [`unknown auth type "${type}"; known types: ${known.join(', ')}`, ...hints].join('. ');
}

/** dlt: an auth block without `type` is bearer. */
export function authType(config: Record<string, unknown>): string {
  return typeof config.type === 'string' ? config.type : 'bearer';
}

/** Secrets are revealed here, at the boundary to the factory that will send them. */
function revealAll(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] =
      value instanceof Secret
        ? value.reveal()
        : typeof value === 'object' && value !== null && !Array.isArray(value) && !isAuthProvider(value)
          ? revealAll(value as Record<string, unknown>)
          : value;
  }
  return out;
}

export function createAuthProvider(
  auth: AuthProvider | Record<string, unknown>,
  factories: Record<string, AuthFactory>,
  context: AuthFactoryContext,
): AuthProvider {
  if (isAuthProvider(auth)) return auth;
  const registry = authRegistry(factories);
  const type = authType(auth);
  const factory = registry[type];
  if (!factory) throw new SiphonError(unknownAuthTypeMessage(type, registry), { code: 'AUTH_TYPE_UNKNOWN' });
  const block = { ...revealAll(auth), type };
  if (!isAuthPlugin(factory)) return factory(block, context);
  // The one parse at start, secrets resolved: the plugin takes its schema's output as it is.
  const result = factory.configSchema.safeParse(block);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      ...issue,
      path: ['client', 'auth', ...issue.path],
    }));
    throw new ConfigError(toConfigIssues(issues, { client: { auth: block } }));
  }
  return factory.create(result.data, context);
}

import type { AuthFactory, AuthProvider } from '../contracts.js';
import { reveal, type Secret } from '../secrets/secret.js';

type SecretValue = string | Secret;

/** `Authorization: Bearer <token>` (dlt `bearer`). */
export function bearerAuth(options: { token: SecretValue }): AuthProvider {
  return {
    async apply({ headers }) {
      headers.set('authorization', `Bearer ${reveal(options.token)}`);
    },
    describe: () => 'bearer',
  };
}

export interface ApiKeyAuthOptions {
  /** Header or query param name. Default `Authorization` (dlt's default). */
  name?: string;
  api_key: SecretValue;
  location?: 'header' | 'query';
}

/** An API key in a header or a query param (dlt `api_key`). */
export function apiKeyAuth(options: ApiKeyAuthOptions): AuthProvider {
  const name = options.name ?? 'Authorization';
  const location = options.location ?? 'header';
  return {
    async apply({ url, headers }) {
      if (location === 'query') url.searchParams.set(name, reveal(options.api_key));
      else headers.set(name, reveal(options.api_key));
    },
    describe: () => `api_key(${location}:${name})`,
  };
}

/** HTTP Basic (dlt `http_basic`). */
export function httpBasicAuth(options: { username: SecretValue; password: SecretValue }): AuthProvider {
  return {
    async apply({ headers }) {
      const pair = `${reveal(options.username)}:${reveal(options.password)}`;
      headers.set('authorization', `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`);
    },
    describe: () => 'http_basic',
  };
}

const asString = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The auth types core knows by itself. Others (`oauth2`) come from `options.authFactories`. */
export const builtinAuthFactories: Readonly<Record<string, AuthFactory>> = Object.freeze({
  bearer: (config) => bearerAuth({ token: asString(config.token) }),
  api_key: (config) =>
    apiKeyAuth({
      api_key: asString(config.api_key),
      ...(typeof config.name === 'string' ? { name: config.name } : {}),
      ...(config.location === 'query' ? { location: 'query' as const } : {}),
    }),
  http_basic: (config) =>
    httpBasicAuth({ username: asString(config.username), password: asString(config.password) }),
});

/** Where to get auth types core does not ship, for "unknown auth type" errors. */
export const knownExternalAuth: Readonly<Record<string, string>> = Object.freeze({
  oauth2: '@siphon/auth-oauth2 (pass `authFactories: { oauth2: oauth2Auth }`)',
});

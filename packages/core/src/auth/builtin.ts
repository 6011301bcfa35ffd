import { z } from 'zod';
import { strictObject } from '../config/strict.js';
import type { AuthFactory, AuthProvider } from '../contracts.js';
import { SECRET_HINT } from '../secrets/dlt.js';
import { reveal, type Secret } from '../secrets/secret.js';
import { defineAuthPlugin } from './plugin.js';

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

// What a secret may be in the block; a secret reference counts as a string when it is checked.
const secretText = z.string({ error: `expected a string or ${SECRET_HINT}` });

/**
 * The auth types core knows by itself, each with its block's schema (the one place for its rules:
 * checked at load, parsed once at start). Others (`oauth2`) come from `options.authFactories`.
 */
export const builtinAuthFactories: Readonly<Record<string, AuthFactory>> = Object.freeze({
  bearer: defineAuthPlugin({
    configSchema: strictObject({ type: z.literal('bearer').optional(), token: secretText }, 'bearer auth'),
    create: (block) => bearerAuth({ token: block.token }),
  }),
  api_key: defineAuthPlugin({
    configSchema: strictObject(
      {
        type: z.literal('api_key'),
        name: z.string().min(1).optional(),
        api_key: secretText,
        location: z.enum(['header', 'query']).optional(),
      },
      'api_key auth',
    ),
    create: ({ api_key, name, location }) =>
      apiKeyAuth({
        api_key,
        ...(name === undefined ? {} : { name }),
        ...(location === undefined ? {} : { location }),
      }),
  }),
  http_basic: defineAuthPlugin({
    configSchema: strictObject(
      { type: z.literal('http_basic'), username: secretText, password: secretText },
      'http_basic auth',
    ),
    create: ({ username, password }) => httpBasicAuth({ username, password }),
  }),
});

/** Where to get auth types core does not ship, for "unknown auth type" errors. */
export const knownExternalAuth: Readonly<Record<string, string>> = Object.freeze({
  oauth2: '@siphon/auth-oauth2 (pass `authFactories: { oauth2: oauth2Auth }`)',
});

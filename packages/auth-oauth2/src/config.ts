import { z } from 'zod';
import { OAuth2Error } from './errors.js';
import type { GrantType } from './events.js';
import { isLoopbackHost } from './loopback.js';

export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic' | 'none';

export const DEFAULT_EXPIRY_SKEW_SECONDS = 30;
export const DEFAULT_EXPIRES_IN_SECONDS = 3600;
/** Bounds one token request including the HTTP client's retries, so it must allow for backoff. */
export const DEFAULT_TIMEOUT_SECONDS = 120;

const nonEmpty = z.string().min(1, 'must not be empty');
// RFC 7230 token characters: what may stand before the token in an Authorization header.
const httpToken = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
// RFC 6749 scope-token characters.
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The config `auth` block for `type: oauth2`, with secrets already resolved to strings. Strict:
 * an unknown key is an error, so a typo cannot silently drop a setting.
 */
export const oauth2ConfigSchema = z
  .strictObject({
    type: z.literal('oauth2'),
    client_id: nonEmpty,
    client_secret: nonEmpty.optional(),
    refresh_token: nonEmpty.optional(),
    token_url: nonEmpty,
    grant_type: z.enum(['refresh_token', 'client_credentials']).optional(),
    scope: z.string().optional(),
    scopes: z.union([z.string(), z.array(nonEmpty)]).optional(),
    audience: nonEmpty.optional(),
    client_auth: z.enum(['client_secret_post', 'client_secret_basic', 'none']).optional(),
    header_scheme: z
      .string()
      .regex(httpToken, 'must be one word such as Bearer or Zoho-oauthtoken')
      .optional(),
    expiry_skew_seconds: z.number().finite().nonnegative().optional(),
    default_expires_in_seconds: z.number().finite().positive().optional(),
    allow_insecure_http: z.boolean().optional(),
    timeout_seconds: z.number().finite().positive().optional(),
  })
  .superRefine((config, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const tokenUrl = URL.canParse(config.token_url) ? new URL(config.token_url) : undefined;
    if (!tokenUrl || (tokenUrl.protocol !== 'https:' && tokenUrl.protocol !== 'http:')) {
      issue('token_url', 'must be an absolute https URL');
    } else if (tokenUrl.protocol === 'http:') {
      if (!isLoopbackHost(tokenUrl.hostname)) {
        issue('token_url', 'must use https (plain http is allowed only for loopback hosts)');
      } else if (config.allow_insecure_http !== true) {
        issue(
          'token_url',
          'uses plain http: set allow_insecure_http: true to allow it for this loopback host',
        );
      }
    }
    if (tokenUrl?.username || tokenUrl?.password) {
      issue('token_url', 'must not contain credentials; use client_id and client_secret');
    }
    const grant =
      config.grant_type ?? (config.refresh_token !== undefined ? 'refresh_token' : 'client_credentials');
    if (grant === 'refresh_token' && config.refresh_token === undefined) {
      issue('refresh_token', 'is required for grant_type refresh_token');
    }
    if (grant === 'client_credentials' && config.refresh_token !== undefined) {
      issue('refresh_token', 'is only used with grant_type refresh_token; remove it or change grant_type');
    }
    const auth = config.client_auth ?? 'client_secret_post';
    if (auth !== 'none' && config.client_secret === undefined) {
      issue(
        'client_secret',
        `is required for client_auth ${auth} (use client_auth: none for a public client)`,
      );
    }
    if (auth === 'none' && config.client_secret !== undefined) {
      issue('client_secret', 'is not sent with client_auth: none; remove it or choose another client_auth');
    }
    if (config.scope !== undefined && config.scopes !== undefined) {
      issue('scopes', 'give either scope or scopes, not both');
    }
    if (Array.isArray(config.scopes) && !config.scopes.every((s) => scopeToken.test(s))) {
      issue('scopes', 'each scope must be one word without spaces or quotes');
    }
  });

export type OAuth2Config = z.input<typeof oauth2ConfigSchema>;

/** The validated settings of a token source, with every default applied. */
export interface OAuth2Settings {
  tokenUrl: URL;
  clientId: string;
  clientSecret: string | undefined;
  grantType: GrantType;
  refreshToken: string | undefined;
  /** Sent as the `scope` parameter: `scope` verbatim (some servers want commas), `scopes` joined by spaces. */
  scope: string | undefined;
  audience: string | undefined;
  clientAuth: ClientAuthMethod;
  headerScheme: string;
  expirySkewSeconds: number;
  defaultExpiresInSeconds: number;
  allowInsecureHttp: boolean;
  timeoutSeconds: number;
}

/**
 * The auth block parsed into settings, every default applied: what `oauth2Auth` declares to core,
 * which checks a config's block against it at load and parses it once, secrets resolved, at start.
 */
export const oauth2SettingsSchema: z.ZodType<OAuth2Settings, OAuth2Config> = oauth2ConfigSchema.transform(
  (c): OAuth2Settings => ({
    tokenUrl: new URL(c.token_url),
    clientId: c.client_id,
    clientSecret: c.client_secret,
    grantType: c.grant_type ?? (c.refresh_token !== undefined ? 'refresh_token' : 'client_credentials'),
    refreshToken: c.refresh_token,
    scope: joinScopes(c.scope ?? c.scopes),
    audience: c.audience,
    clientAuth: c.client_auth ?? 'client_secret_post',
    headerScheme: c.header_scheme ?? 'Bearer',
    expirySkewSeconds: c.expiry_skew_seconds ?? DEFAULT_EXPIRY_SKEW_SECONDS,
    defaultExpiresInSeconds: c.default_expires_in_seconds ?? DEFAULT_EXPIRES_IN_SECONDS,
    allowInsecureHttp: c.allow_insecure_http ?? false,
    timeoutSeconds: c.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS,
  }),
);

/**
 * Validates a config `auth` block. Throws an `OAuth2Error` (`OAUTH2_INVALID_CONFIG`) that lists
 * every problem by key; values are never echoed, so a misplaced secret cannot leak.
 * `label` renames keys in messages (the class constructor reports its camelCase option names).
 */
export function parseOAuth2Settings(
  input: unknown,
  label: (key: string) => string = (k) => k,
): OAuth2Settings {
  const result = oauth2SettingsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.map((p) => label(String(p))).join('.') : '(auth block)';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => label(k)).join(', ');
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}`;
    }
    if (issue.code === 'invalid_type' && issue.path.length > 0) {
      return `${key}: expected ${issue.expected}`;
    }
    return `${key}: ${issue.message}`;
  });
  throw new OAuth2Error(`oauth2 auth config is invalid: ${problems.join('; ')}`, {
    code: 'OAUTH2_INVALID_CONFIG',
  });
}

function joinScopes(value: string | string[] | undefined): string | undefined {
  const joined = (Array.isArray(value) ? value.join(' ') : (value ?? '')).trim();
  return joined === '' ? undefined : joined;
}

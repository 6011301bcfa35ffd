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

/** Each setting's rule, once; the config block (snake_case) and the TS options (camelCase) share them. */
const rules = {
  clientId: nonEmpty,
  clientSecret: nonEmpty.optional(),
  refreshToken: nonEmpty.optional(),
  tokenUrl: nonEmpty,
  grantType: z.enum(['refresh_token', 'client_credentials']).optional(),
  scope: z.string().optional(),
  scopes: z.union([z.string(), z.array(nonEmpty)]).optional(),
  audience: nonEmpty.optional(),
  clientAuth: z.enum(['client_secret_post', 'client_secret_basic', 'none']).optional(),
  headerScheme: z.string().regex(httpToken, 'must be one word such as Bearer or Zoho-oauthtoken').optional(),
  expirySkewSeconds: z.number().finite().nonnegative().optional(),
  defaultExpiresInSeconds: z.number().finite().positive().optional(),
  allowInsecureHttp: z.boolean().optional(),
  timeoutSeconds: z.number().finite().positive().optional(),
};

type SettingKey = keyof typeof rules;
/** The settings as the rules parse them, before defaults. */
type Parsed = z.output<z.ZodObject<typeof rules>>;

/** The config block's name of each setting. */
const configKeys = {
  clientId: 'client_id',
  clientSecret: 'client_secret',
  refreshToken: 'refresh_token',
  tokenUrl: 'token_url',
  grantType: 'grant_type',
  scope: 'scope',
  scopes: 'scopes',
  audience: 'audience',
  clientAuth: 'client_auth',
  headerScheme: 'header_scheme',
  expirySkewSeconds: 'expiry_skew_seconds',
  defaultExpiresInSeconds: 'default_expires_in_seconds',
  allowInsecureHttp: 'allow_insecure_http',
  timeoutSeconds: 'timeout_seconds',
} as const satisfies Record<SettingKey, string>;

/**
 * The rules that involve more than one setting, written once for both spellings: `issue` names a
 * setting, the caller places it under its own key. Messages name other settings as the config does.
 */
function crossRules(c: Parsed, issue: (key: SettingKey, message: string) => void): void {
  const tokenUrl = URL.canParse(c.tokenUrl) ? new URL(c.tokenUrl) : undefined;
  if (!tokenUrl || (tokenUrl.protocol !== 'https:' && tokenUrl.protocol !== 'http:')) {
    issue('tokenUrl', 'must be an absolute https URL');
  } else if (tokenUrl.protocol === 'http:') {
    if (!isLoopbackHost(tokenUrl.hostname)) {
      issue('tokenUrl', 'must use https (plain http is allowed only for loopback hosts)');
    } else if (c.allowInsecureHttp !== true) {
      issue('tokenUrl', 'uses plain http: set allow_insecure_http: true to allow it for this loopback host');
    }
  }
  if (tokenUrl?.username || tokenUrl?.password) {
    issue('tokenUrl', 'must not contain credentials; use client_id and client_secret');
  }
  const grant = c.grantType ?? (c.refreshToken !== undefined ? 'refresh_token' : 'client_credentials');
  if (grant === 'refresh_token' && c.refreshToken === undefined) {
    issue('refreshToken', 'is required for grant_type refresh_token');
  }
  if (grant === 'client_credentials' && c.refreshToken !== undefined) {
    issue('refreshToken', 'is only used with grant_type refresh_token; remove it or change grant_type');
  }
  const auth = c.clientAuth ?? 'client_secret_post';
  if (auth !== 'none' && c.clientSecret === undefined) {
    issue('clientSecret', `is required for client_auth ${auth} (use client_auth: none for a public client)`);
  }
  if (auth === 'none' && c.clientSecret !== undefined) {
    issue('clientSecret', 'is not sent with client_auth: none; remove it or choose another client_auth');
  }
  if (c.scope !== undefined && c.scopes !== undefined) {
    issue('scopes', 'give either scope or scopes, not both');
  }
  if (Array.isArray(c.scopes) && !c.scopes.every((s) => scopeToken.test(s))) {
    issue('scopes', 'each scope must be one word without spaces or quotes');
  }
}

/** The settings with every default applied. */
function toSettings(c: Parsed): OAuth2Settings {
  return {
    tokenUrl: new URL(c.tokenUrl),
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    grantType: c.grantType ?? (c.refreshToken !== undefined ? 'refresh_token' : 'client_credentials'),
    refreshToken: c.refreshToken,
    scope: joinScopes(c.scope ?? c.scopes),
    audience: c.audience,
    clientAuth: c.clientAuth ?? 'client_secret_post',
    headerScheme: c.headerScheme ?? 'Bearer',
    expirySkewSeconds: c.expirySkewSeconds ?? DEFAULT_EXPIRY_SKEW_SECONDS,
    defaultExpiresInSeconds: c.defaultExpiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS,
    allowInsecureHttp: c.allowInsecureHttp ?? false,
    timeoutSeconds: c.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
  };
}

/** A config block's keys read as settings (the block is parsed already). */
function fromBlock(c: z.output<typeof blockObject>): Parsed {
  return {
    clientId: c.client_id,
    clientSecret: c.client_secret,
    refreshToken: c.refresh_token,
    tokenUrl: c.token_url,
    grantType: c.grant_type,
    scope: c.scope,
    scopes: c.scopes,
    audience: c.audience,
    clientAuth: c.client_auth,
    headerScheme: c.header_scheme,
    expirySkewSeconds: c.expiry_skew_seconds,
    defaultExpiresInSeconds: c.default_expires_in_seconds,
    allowInsecureHttp: c.allow_insecure_http,
    timeoutSeconds: c.timeout_seconds,
  };
}

const blockObject = z.strictObject({
  type: z.literal('oauth2'),
  client_id: rules.clientId,
  client_secret: rules.clientSecret,
  refresh_token: rules.refreshToken,
  token_url: rules.tokenUrl,
  grant_type: rules.grantType,
  scope: rules.scope,
  scopes: rules.scopes,
  audience: rules.audience,
  client_auth: rules.clientAuth,
  header_scheme: rules.headerScheme,
  expiry_skew_seconds: rules.expirySkewSeconds,
  default_expires_in_seconds: rules.defaultExpiresInSeconds,
  allow_insecure_http: rules.allowInsecureHttp,
  timeout_seconds: rules.timeoutSeconds,
});

/**
 * The config `auth` block for `type: oauth2`, with secrets already resolved to strings. Strict:
 * an unknown key is an error, so a typo cannot silently drop a setting.
 */
export const oauth2ConfigSchema = blockObject.superRefine((block, ctx) =>
  crossRules(fromBlock(block), (key, message) =>
    ctx.addIssue({ code: 'custom', path: [configKeys[key]], message }),
  ),
);

/**
 * The settings of `new OAuth2TokenSource(options)`, by their option names: the same rules, read
 * without translating the options into a config block. Other keys (hooks) are not settings.
 */
const optionsSchema = z
  .object({ ...rules, tokenUrl: z.union([z.instanceof(URL).transform((url) => url.href), rules.tokenUrl]) })
  .superRefine((options, ctx) =>
    crossRules(options, (key, message) => ctx.addIssue({ code: 'custom', path: [key], message })),
  );

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
  (block) => toSettings(fromBlock(block)),
);

/**
 * Validates a config `auth` block. Throws an `OAuth2Error` (`OAUTH2_INVALID_CONFIG`) that lists
 * every problem by key; values are never echoed, so a misplaced secret cannot leak.
 * `label` renames keys in messages.
 */
export function parseOAuth2Settings(
  input: unknown,
  label: (key: string) => string = (k) => k,
): OAuth2Settings {
  const result = oauth2SettingsSchema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(result.error.issues, label);
}

/** Validates the settings among a token source's options (by their option names), as `parseOAuth2Settings`. */
export function parseOAuth2Options(options: object): OAuth2Settings {
  const result = optionsSchema.safeParse(options);
  if (result.success) return toSettings(result.data);
  throw invalid(result.error.issues, (k) => k);
}

function invalid(issues: readonly z.core.$ZodIssue[], label: (key: string) => string): OAuth2Error {
  const problems = issues.map((issue) => {
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
  return new OAuth2Error(`oauth2 auth config is invalid: ${problems.join('; ')}`, {
    code: 'OAUTH2_INVALID_CONFIG',
  });
}

function joinScopes(value: string | string[] | undefined): string | undefined {
  const joined = (Array.isArray(value) ? value.join(' ') : (value ?? '')).trim();
  return joined === '' ? undefined : joined;
}

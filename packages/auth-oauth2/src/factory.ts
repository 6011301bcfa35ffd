import { type AuthFactoryContext, type AuthPlugin, defineAuthPlugin } from '@siphon/core';
import { OAuth2AuthProvider } from './auth-provider.js';
import { type OAuth2Settings, oauth2SettingsSchema } from './config.js';
import { type CachedAccessToken, OAuth2TokenSource } from './token-source.js';

export interface RotatedRefreshTokenInfo {
  clientId: string;
  /** Token URL without query string. */
  tokenUrl: string;
}

export interface OAuth2AuthFactoryOptions {
  /**
   * Persists a rotated refresh token (e.g. into the runner's secret store). Awaited before the
   * access token that came with it is used. Without it, a rotated token lives in memory only, and
   * its `oauth2.token_issued` event says so (`refreshTokenInMemoryOnly`: a warning in the log),
   * since the configured refresh token no longer works.
   */
  onRefreshToken?: (refreshToken: string, info: RotatedRefreshTokenInfo) => void | Promise<void>;
  /** An access token kept from an earlier process, used while still valid (see `OAuth2TokenSource`). */
  cachedAccessToken?: CachedAccessToken;
  /** Keeps each issued access token for the next process (e.g. encrypted in a state store). */
  onAccessToken?: (token: CachedAccessToken) => void | Promise<void>;
  /** Clock in epoch milliseconds, for tests. */
  now?: () => number;
}

/**
 * The auth plugin core's engine uses for `auth: { type: 'oauth2', ... }`. It declares the block's
 * schema, so core checks a config's block at load and, secrets resolved, parses it once at start:
 * `create` takes those settings as they are. Token requests go through the engine's fetch, so they
 * follow the same retry rules as API calls.
 */
export function createOAuth2AuthFactory(options: OAuth2AuthFactoryOptions = {}): AuthPlugin<OAuth2Settings> {
  return defineAuthPlugin({
    configSchema: oauth2SettingsSchema,
    create(settings: OAuth2Settings, context: AuthFactoryContext) {
      const onRefreshToken = options.onRefreshToken;
      const source: OAuth2TokenSource = OAuth2TokenSource.fromSettings(settings, {
        fetch: context.fetch,
        now: options.now,
        cachedAccessToken: options.cachedAccessToken,
        onAccessToken: options.onAccessToken,
        onRefreshToken: onRefreshToken
          ? (token) => onRefreshToken(token, { clientId: source.clientId, tokenUrl: source.tokenUrl })
          : undefined,
        // Token requests, refreshes and failures go on the engine's bus, for logs and metrics alike.
        events: context.events,
      });
      return new OAuth2AuthProvider(source);
    },
  });
}

/** The plugin with no persistence hook: rotated refresh tokens are kept in memory. */
export const oauth2Auth: AuthPlugin<OAuth2Settings> = createOAuth2AuthFactory();

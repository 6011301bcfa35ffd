import type { EventNameIn, SiphonEvent } from '@siphon/core';
import type { OAuth2Error } from './errors.js';

export type GrantType = 'refresh_token' | 'client_credentials';

/** Why a token request was made: the first token, one about to expire, or one the API refused (401). */
export type TokenRequestReason = 'initial' | 'expiring' | 'invalidated';

/**
 * What a token source reports, on core's event bus under `oauth2.*`. No event ever carries a
 * token or a secret. `auth` names the source as `describe()` does, e.g.
 * `oauth2(refresh_token @ accounts.example.com)`.
 */
declare module '@siphon/core' {
  interface SiphonEventMap {
    /** A token request is sent (`reason`: the first one, or a refresh). */
    'oauth2.token_requested': { auth: string; grantType: GrantType; reason: TokenRequestReason };
    'oauth2.token_issued': {
      auth: string;
      grantType: GrantType;
      /** Lifetime the server announced, or the configured default when it announced none. */
      expiresInSeconds: number;
      expiresInDefaulted: boolean;
      /** The server sent a new refresh token, which is used from now on. */
      refreshTokenRotated: boolean;
      /** Rotated, and nobody persists it: the configured refresh token no longer works after this process. */
      refreshTokenInMemoryOnly: boolean;
      durationMs: number;
    };
    'oauth2.token_failed': { auth: string; grantType: GrantType; error: OAuth2Error };
    /** The access token was dropped after an HTTP 401; the next call requests a new one. */
    'oauth2.token_invalidated': { auth: string; grantType: GrantType };
    'oauth2.refresh_token_persisted': { auth: string; grantType: GrantType };
  }
}

export type OAuth2EventName = EventNameIn<'oauth2'>;
export type OAuth2Event = SiphonEvent<OAuth2EventName>;
export type OAuth2EventListener = (event: OAuth2Event) => void;

/** The log line of an OAuth2 event, or undefined for one not worth a line (`token_requested`). */
export function oauth2LogEntry(
  event: OAuth2Event,
): { level: 'debug' | 'info' | 'warn'; message: string } | undefined {
  switch (event.type) {
    case 'oauth2.token_issued': {
      if (event.refreshTokenInMemoryOnly) {
        return {
          level: 'warn',
          message: `${event.auth}: the server rotated the refresh token; it is kept in memory only, so the configured refresh_token no longer works after this run`,
        };
      }
      const lifetime = `${event.expiresInSeconds} s${event.expiresInDefaulted ? ' (assumed: no expires_in)' : ''}`;
      return {
        level: 'debug',
        message: `${event.auth}: access token issued in ${event.durationMs} ms, valid for ${lifetime}`,
      };
    }
    case 'oauth2.token_invalidated':
      return { level: 'debug', message: `${event.auth}: access token dropped after HTTP 401` };
    case 'oauth2.token_failed':
      return { level: 'warn', message: event.error.message };
    case 'oauth2.refresh_token_persisted':
      return { level: 'info', message: `${event.auth}: rotated refresh token persisted` };
    default:
      return undefined;
  }
}

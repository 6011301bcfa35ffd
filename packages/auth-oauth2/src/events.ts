import type { OAuth2Error } from './errors.js';

export type GrantType = 'refresh_token' | 'client_credentials';

/** Why a token request was made. */
export type TokenRequestReason = 'initial' | 'expiring' | 'invalidated';

/** What a token source reports. No event ever carries a token or a secret. */
export type OAuth2Event =
  | { type: 'token_requested'; grantType: GrantType; reason: TokenRequestReason }
  | {
      type: 'token_issued';
      grantType: GrantType;
      /** Lifetime the server announced, or the configured default when it announced none. */
      expiresInSeconds: number;
      expiresInDefaulted: boolean;
      /** The server sent a new refresh token, which is used from now on. */
      refreshTokenRotated: boolean;
      durationMs: number;
    }
  | { type: 'token_failed'; grantType: GrantType; error: OAuth2Error }
  | { type: 'token_invalidated'; grantType: GrantType }
  | { type: 'refresh_token_persisted'; grantType: GrantType };

export type OAuth2EventListener = (event: OAuth2Event) => void;

/** A minimal listener list: emitting costs nothing without listeners, and a throwing listener is ignored. */
export class OAuth2Events {
  readonly #listeners = new Set<OAuth2EventListener>();

  on(listener: OAuth2EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: OAuth2Event): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break token handling.
      }
    }
  }
}

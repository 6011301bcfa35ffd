import { createEventBus, type EventBus, isEventIn, MAX_TIMER_DELAY_MS, Redaction } from '@siphon/core';
import {
  allowInsecureRequests,
  type ClientAuth,
  ClientSecretBasic,
  ClientSecretPost,
  Configuration,
  clientCredentialsGrant,
  customFetch,
  None,
  refreshTokenGrant,
  type TokenEndpointResponse,
} from 'openid-client';
import {
  type ClientAuthMethod,
  type OAuth2Settings,
  parseOAuth2Options,
  parseOAuth2Settings,
} from './config.js';
import { OAuth2Error } from './errors.js';
import type { GrantType, OAuth2EventListener, TokenRequestReason } from './events.js';
import { translateTokenError } from './translate-error.js';

/** The settings of a token source as TS options (camelCase), checked by the config block's rules. */
export interface OAuth2TokenSourceOptions extends OAuth2TokenSourceHooks {
  tokenUrl: string | URL;
  clientId: string;
  /** Required unless `clientAuth` is `none`. */
  clientSecret?: string | undefined;
  /** Default: `refresh_token` when `refreshToken` is given, else `client_credentials`. */
  grantType?: GrantType | undefined;
  refreshToken?: string | undefined;
  /** Sent verbatim as the `scope` parameter (some servers expect commas). */
  scope?: string | undefined;
  /** Joined by spaces into the `scope` parameter. */
  scopes?: string[] | undefined;
  /** Sent as the `audience` parameter (Auth0 and similar). */
  audience?: string | undefined;
  /** Default `client_secret_post`. */
  clientAuth?: ClientAuthMethod | undefined;
  /** Word before the token in the `Authorization` header. Default `Bearer`. */
  headerScheme?: string | undefined;
  /** Refresh this long before `expires_in` runs out (at most half the lifetime). Default 30. */
  expirySkewSeconds?: number | undefined;
  /** Lifetime assumed when the server sends no `expires_in`. Default 3600. */
  defaultExpiresInSeconds?: number | undefined;
  /** Allows a plain-http token URL, for loopback hosts only (test servers). */
  allowInsecureHttp?: boolean | undefined;
  /** Bound on one token request, including the retries of `fetch`. Default 120. */
  timeoutSeconds?: number | undefined;
}

/** What a token source is given besides its settings: its fetch, clock, bus and persistence hooks. */
export interface OAuth2TokenSourceHooks {
  /** Used for token requests; pass a retrying fetch to retry 5xx and network errors. Default: global fetch. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Called with a rotated refresh token before the access token that came with it is used.
   * Persist it here: the old one no longer works. If it throws, the access token is withheld and
   * the call is repeated before the next use.
   */
  onRefreshToken?: ((refreshToken: string) => void | Promise<void>) | undefined;
  /**
   * An access token kept from an earlier process (e.g. encrypted in a state store): used until its
   * refresh time instead of asking the server for a new one at every start, which servers such as
   * Zoho limit (10 tokens per refresh token per 10 minutes).
   */
  cachedAccessToken?: CachedAccessToken | undefined;
  /** Called with every access token issued, to keep it for the next process. Failures are ignored. */
  onAccessToken?: ((token: CachedAccessToken) => void | Promise<void>) | undefined;
  /** Clock in epoch milliseconds, for tests. */
  now?: (() => number) | undefined;
  /** The bus to emit `oauth2.*` events into (e.g. the engine's). Default: a bus of its own. */
  events?: EventBus | undefined;
}

/** Settings parsed already (by `oauth2Auth`'s schema, say): the source takes them as they are. */
export interface ParsedOAuth2TokenSourceOptions extends OAuth2TokenSourceHooks {
  settings: OAuth2Settings;
}

/** What is kept of an access token across processes. */
export interface CachedAccessToken {
  accessToken: string;
  /** Epoch ms when the server said the token expires. */
  expiresAt: number;
  scope?: string | undefined;
}

/** An access token and when this source will stop handing it out. */
export interface AccessToken {
  accessToken: string;
  /** Epoch ms when the server says the token expires. */
  expiresAt: number;
  /** Epoch ms from which a new token is fetched instead (expiry minus skew). */
  refreshAt: number;
  scope: string | undefined;
  /** Increases with every token issued by this source; lets callers tell tokens apart without comparing them. */
  generation: number;
}

/**
 * Fetches, caches and refreshes OAuth2 access tokens (refresh-token or client-credentials grant)
 * through openid-client. At most one token request is in flight at a time; every caller waiting
 * meanwhile gets its result. Secrets live in private fields, so inspecting the object shows none.
 */
export class OAuth2TokenSource {
  readonly grantType: GrantType;
  readonly headerScheme: string;
  readonly clientId: string;
  /** Token URL without query string, for messages. */
  readonly tokenUrl: string;
  /** Where this source's `oauth2.*` events go. */
  readonly events: EventBus;

  readonly #settings: OAuth2Settings;
  readonly #client: Configuration;
  readonly #redactor = new Redaction();
  readonly #onRefreshToken: ((refreshToken: string) => void | Promise<void>) | undefined;
  readonly #now: () => number;
  #refreshToken: string | undefined;
  /** Set while a rotated refresh token has not been handed to `onRefreshToken` successfully. */
  #unpersisted = false;
  #token: AccessToken | undefined;
  #generation = 0;
  #invalidated = false;
  #inflight: Promise<AccessToken> | undefined;
  readonly #onAccessToken: ((token: CachedAccessToken) => void | Promise<void>) | undefined;

  constructor(options: OAuth2TokenSourceOptions | ParsedOAuth2TokenSourceOptions) {
    const settings = 'settings' in options ? options.settings : parseOAuth2Options(options);
    if (options.fetch !== undefined && typeof options.fetch !== 'function') {
      throw new OAuth2Error('oauth2 options are invalid: fetch must be a function', {
        code: 'OAUTH2_INVALID_CONFIG',
      });
    }
    this.#settings = settings;
    this.grantType = settings.grantType;
    this.headerScheme = settings.headerScheme;
    this.clientId = settings.clientId;
    this.tokenUrl = `${settings.tokenUrl.origin}${settings.tokenUrl.pathname}`;
    this.#refreshToken = settings.refreshToken;
    this.#onRefreshToken = options.onRefreshToken;
    this.#now = options.now ?? Date.now;
    this.events = options.events ?? createEventBus();
    this.#redactor.add(settings.clientSecret);
    this.#redactor.add(settings.refreshToken);
    if (settings.clientSecret !== undefined) {
      // The Basic header's value, raw and in RFC 6749's form-encoded flavour (what openid-client sends).
      for (const encode of [(s: string) => s, formUrlEncode]) {
        const credentials = `${encode(settings.clientId)}:${encode(settings.clientSecret)}`;
        this.#redactor.add(Buffer.from(credentials).toString('base64'));
      }
    }
    this.#client = buildClient(settings, options.fetch);
    this.#onAccessToken = options.onAccessToken;
    this.#adopt(options.cachedAccessToken);
  }

  /** Takes over a kept access token while it is still good for at least the expiry skew. */
  #adopt(cached: CachedAccessToken | undefined): void {
    if (!cached || typeof cached.accessToken !== 'string' || !Number.isFinite(cached.expiresAt)) return;
    const refreshAt = cached.expiresAt - this.#settings.expirySkewSeconds * 1000;
    if (this.#now() >= refreshAt) return;
    this.#redactor.addTransient(cached.accessToken);
    this.#token = Object.freeze({
      accessToken: cached.accessToken,
      expiresAt: cached.expiresAt,
      refreshAt,
      scope: cached.scope,
      generation: ++this.#generation,
    });
  }

  /** Builds a source from a config `auth` block (snake_case keys, as in the billing seed). */
  static fromConfig(config: Record<string, unknown>, hooks: OAuth2TokenSourceHooks = {}): OAuth2TokenSource {
    return new OAuth2TokenSource({ ...hooks, settings: parseOAuth2Settings(config) });
  }

  /** Builds a source from settings parsed already, taken as they are. */
  static fromSettings(settings: OAuth2Settings, hooks: OAuth2TokenSourceHooks = {}): OAuth2TokenSource {
    return new OAuth2TokenSource({ ...hooks, settings });
  }

  /** Subscribes to the `oauth2.*` events of this source's bus; returns the unsubscribe function. */
  on(listener: OAuth2EventListener): () => void {
    return this.events.onAny((event) => {
      if (isEventIn(event, 'oauth2')) listener(event);
    });
  }

  /** A valid access token: the cached one, or a new one when it is missing, expiring or invalidated. */
  getToken(): Promise<AccessToken> {
    if (this.#inflight) return this.#inflight;
    const cached = this.#token;
    if (cached && !this.#unpersisted && this.#now() < cached.refreshAt) return Promise.resolve(cached);
    const flight = this.#obtain();
    this.#inflight = flight;
    const clear = () => {
      if (this.#inflight === flight) this.#inflight = undefined;
    };
    flight.then(clear, clear);
    return flight;
  }

  async getAccessToken(): Promise<string> {
    return (await this.getToken()).accessToken;
  }

  /** The `Authorization` header value, e.g. `Bearer <token>`. */
  async authorizationHeader(): Promise<string> {
    return `${this.headerScheme} ${(await this.getToken()).accessToken}`;
  }

  /**
   * Drops the cached access token so the next call fetches a new one. With `generation`, only
   * that token is dropped: a caller holding an older token cannot throw away a newer one.
   * Returns whether a token was dropped.
   */
  invalidate(generation?: number): boolean {
    const token = this.#token;
    if (!token || (generation !== undefined && token.generation !== generation)) return false;
    this.#token = undefined;
    this.#invalidated = true;
    this.events.emit({ type: 'oauth2.token_invalidated', auth: this.describe(), grantType: this.grantType });
    return true;
  }

  /** Names the source without revealing anything secret, e.g. `oauth2(refresh_token @ accounts.example.com)`. */
  describe(): string {
    return `oauth2(${this.grantType} @ ${this.#settings.tokenUrl.host})`;
  }

  /** Masks this source's secrets (client secret, refresh tokens, recent access tokens) in a text. */
  redact(text: string): string {
    return this.#redactor.text(text);
  }

  async #obtain(): Promise<AccessToken> {
    if (this.#unpersisted) await this.#persistRefreshToken();
    const cached = this.#token;
    if (cached && this.#now() < cached.refreshAt) return cached;
    return this.#requestToken(cached ? 'expiring' : this.#invalidated ? 'invalidated' : 'initial');
  }

  async #requestToken(reason: TokenRequestReason): Promise<AccessToken> {
    const { grantType } = this;
    this.events.emit({ type: 'oauth2.token_requested', auth: this.describe(), grantType, reason });
    const startedAt = this.#now();
    let response: TokenEndpointResponse;
    try {
      response = await this.#grant();
    } catch (err) {
      const error = translateTokenError(err, {
        tokenUrl: this.tokenUrl,
        grantType,
        redactor: this.#redactor,
        timeoutSeconds: this.#settings.timeoutSeconds,
      });
      this.events.emit({ type: 'oauth2.token_failed', auth: this.describe(), grantType, error });
      throw error;
    }
    this.#redactor.addTransient(response.access_token);

    const rotated =
      grantType === 'refresh_token' &&
      typeof response.refresh_token === 'string' &&
      response.refresh_token !== this.#refreshToken;
    if (rotated) {
      this.#refreshToken = response.refresh_token;
      this.#redactor.add(response.refresh_token);
      this.#unpersisted = this.#onRefreshToken !== undefined;
    }

    const expiresInDefaulted = typeof response.expires_in !== 'number';
    const lifetime = expiresInDefaulted ? this.#settings.defaultExpiresInSeconds : (response.expires_in ?? 0);
    const skew = Math.min(this.#settings.expirySkewSeconds, lifetime / 2);
    const token: AccessToken = Object.freeze({
      accessToken: response.access_token,
      expiresAt: startedAt + lifetime * 1000,
      refreshAt: startedAt + (lifetime - skew) * 1000,
      scope: response.scope,
      generation: ++this.#generation,
    });
    this.#token = token;
    this.#invalidated = false;
    this.events.emit({
      type: 'oauth2.token_issued',
      auth: this.describe(),
      grantType,
      expiresInSeconds: lifetime,
      expiresInDefaulted,
      refreshTokenRotated: rotated,
      refreshTokenInMemoryOnly: rotated && this.#onRefreshToken === undefined,
      durationMs: this.#now() - startedAt,
    });
    if (this.#unpersisted) await this.#persistRefreshToken();
    if (this.#onAccessToken) {
      // Keeping it is an optimisation: a failure costs one token request at the next start.
      await Promise.resolve(
        this.#onAccessToken({
          accessToken: token.accessToken,
          expiresAt: token.expiresAt,
          scope: token.scope,
        }),
      ).catch(() => {});
    }
    // The token is used for the call that fetched it even if its lifetime is already spent.
    return token;
  }

  #grant(): Promise<TokenEndpointResponse> {
    const parameters: Record<string, string> = {};
    if (this.#settings.scope !== undefined) parameters.scope = this.#settings.scope;
    if (this.#settings.audience !== undefined) parameters.audience = this.#settings.audience;
    if (this.grantType === 'client_credentials') return clientCredentialsGrant(this.#client, parameters);
    // Checked at construction: the refresh_token grant always has a refresh token.
    return refreshTokenGrant(this.#client, this.#refreshToken!, parameters);
  }

  async #persistRefreshToken(): Promise<void> {
    const token = this.#refreshToken;
    if (token === undefined || this.#onRefreshToken === undefined) return;
    try {
      await this.#onRefreshToken(token);
    } catch (err) {
      const reason = this.#redactor.text(err instanceof Error ? err.message : String(err));
      const error = new OAuth2Error(
        `oauth2: the server rotated the refresh token for ${this.tokenUrl}, and onRefreshToken failed to persist it: ${reason}. The new token is kept in memory and handed over again before the next access token is used`,
        { code: 'OAUTH2_REFRESH_TOKEN_NOT_PERSISTED', tokenUrl: this.tokenUrl, grantType: this.grantType },
      );
      this.events.emit({
        type: 'oauth2.token_failed',
        auth: this.describe(),
        grantType: this.grantType,
        error,
      });
      throw error;
    }
    this.#unpersisted = false;
    this.events.emit({
      type: 'oauth2.refresh_token_persisted',
      auth: this.describe(),
      grantType: this.grantType,
    });
  }
}

function buildClient(
  settings: OAuth2Settings,
  fetchImpl: typeof globalThis.fetch | undefined,
): Configuration {
  const { tokenUrl, clientId, clientSecret, clientAuth } = settings;
  const auth: ClientAuth =
    clientAuth === 'none'
      ? None()
      : clientAuth === 'client_secret_basic'
        ? ClientSecretBasic(clientSecret)
        : ClientSecretPost(clientSecret);
  // No discovery: the token URL is all the seeds give, and all a token grant needs.
  const client = new Configuration(
    { issuer: tokenUrl.origin, token_endpoint: tokenUrl.href },
    clientId,
    clientSecret,
    auth,
  );
  // oauth4webapi arms a plain timer: beyond 24.8 days it would fire at once.
  client.timeout = Math.min(settings.timeoutSeconds, Math.floor(MAX_TIMER_DELAY_MS / 1000));
  // openid-client types `init.body` as possibly undefined, which RequestInit (exact optional) is not.
  if (fetchImpl) client[customFetch] = (url, init) => fetchImpl(url, init as RequestInit);
  // Validation let plain http through only for loopback hosts with allowInsecureHttp.
  if (tokenUrl.protocol === 'http:') allowInsecureRequests(client);
  return client;
}

/** RFC 6749 section 2.3.1 encoding of Basic credentials: form encoding that also escapes -_.!~*'(). */
function formUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

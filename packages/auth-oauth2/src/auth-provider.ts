import type { AuthProvider } from '@siphon/core';
import type { OAuth2TokenSource } from './token-source.js';

/** How many recent request URLs are remembered to tell a first 401 from a repeated one. */
const MAX_TRACKED_URLS = 1024;
/**
 * A 401 for a URL this provider did not send (a redirect, say) cannot be matched to a token. It
 * drops the current token only if that token is older than this: late 401s from a burst of
 * requests sent with the previous token must not throw away the one that just replaced it.
 */
const UNMATCHED_MIN_TOKEN_AGE_MS = 1000;

interface Sent {
  /** Generation of the token this URL was last sent with. */
  generation: number;
  /** Set when that request got a 401 and is expected to be retried. */
  rejected: boolean;
  /** Generation of the token that was rejected before this retry, when this send is a retry. */
  retryOf: number | undefined;
}

/**
 * Core's `AuthProvider` on top of an `OAuth2TokenSource`: sets the `Authorization` header and
 * handles 401s. A 401 drops the token it was sent with (once, however many requests of the burst
 * come back 401) and asks for a retry; when the retry of a request fails again with a token
 * issued after the first 401, it answers false so the request fails instead of looping.
 *
 * The contract gives `onUnauthorized` only the URL, so requests are told apart by URL: the
 * generation of the token last applied to each recent URL is remembered.
 */
export class OAuth2AuthProvider implements AuthProvider {
  readonly source: OAuth2TokenSource;
  readonly #sent = new Map<string, Sent>();
  #latest = { generation: 0, firstUsedAt: 0 };

  constructor(source: OAuth2TokenSource) {
    this.source = source;
  }

  async apply(request: { url: URL; headers: Headers }): Promise<void> {
    const token = await this.source.getToken();
    request.headers.set('authorization', `${this.source.headerScheme} ${token.accessToken}`);
    if (token.generation !== this.#latest.generation) {
      this.#latest = { generation: token.generation, firstUsedAt: Date.now() };
    }
    const key = request.url.href;
    const previous = this.#sent.get(key);
    this.#sent.delete(key);
    this.#sent.set(key, {
      generation: token.generation,
      rejected: false,
      retryOf: previous?.rejected ? previous.generation : undefined,
    });
    if (this.#sent.size > MAX_TRACKED_URLS) {
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
  }

  async onUnauthorized(response: { status: number; url: string }): Promise<boolean> {
    const key = URL.canParse(response.url) ? new URL(response.url).href : response.url;
    const sent = this.#sent.get(key);
    if (sent?.retryOf !== undefined && sent.generation > sent.retryOf) {
      // The retry carried a token issued after the first 401 and was refused too.
      this.#sent.delete(key);
      return false;
    }
    if (sent) {
      sent.rejected = true;
      // Drops the token only if it is still the one this request carried: the first 401 of a
      // burst invalidates, the others find a newer token (or none) and just retry.
      this.source.invalidate(sent.generation);
    } else if (Date.now() - this.#latest.firstUsedAt >= UNMATCHED_MIN_TOKEN_AGE_MS) {
      this.source.invalidate(this.#latest.generation);
    }
    return true;
  }

  describe(): string {
    return this.source.describe();
  }
}

/**
 * The accounts server's OAuth2 refresh-token grant, with the real server's quirks:
 * failures come back as HTTP 200 with an `error` field, and each refresh token may mint
 * only so many access tokens per window.
 */
import { randomBytes } from 'node:crypto';
import { hashString, Rng } from './data/rng.js';

export interface Credentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** The analytics API key (Bearer). */
  apiKey: string;
}

export interface TokenLimit {
  count: number;
  windowSeconds: number;
}

export interface TokenIssuerOptions {
  credentials: Credentials;
  ttlSeconds: number;
  limit: TokenLimit;
  /** Each grant returns a new `refresh_token` and revokes the one used. */
  rotateRefreshToken: boolean;
  /** Reported as `api_domain`: the billing origin (known once the server listens). */
  apiDomain: () => string;
  now?: () => number;
}

export interface GrantOutcome {
  status: number;
  body: Record<string, unknown>;
  issued: boolean;
}

export type TokenCheck = 'valid' | 'expired' | 'invalid';

/** Credentials that stay the same for the same seed, so a restarted CLI keeps its secrets. */
export function credentialsForSeed(seed: number): Credentials {
  const rng = new Rng(seed, hashString('sandbox.credentials'));
  const uuid = rng.hex(32);
  return {
    clientId: `1000.${rng.hex(30).toUpperCase()}`,
    clientSecret: rng.hex(42),
    refreshToken: `1000.${rng.hex(32)}.${rng.hex(32)}`,
    apiKey: `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-4${uuid.slice(13, 16)}-a${uuid.slice(17, 20)}-${uuid.slice(20, 32)}`,
  };
}

/** What the real server says past its per-refresh-token limit (HTTP 400). */
export const TOO_MANY_TOKENS_BODY = {
  error_description: 'You have made too many requests continuously. Please try again after some time.',
  error: 'Access Denied',
  status: 'failure',
} as const;

export class TokenIssuer {
  private readonly accessTokens = new Map<string, number>();
  /** Live refresh token → its lineage (the original token), so rotation shares one limit. */
  private readonly refreshTokens = new Map<string, string>();
  private readonly grants = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: TokenIssuerOptions) {
    this.now = options.now ?? Date.now;
    this.refreshTokens.set(options.credentials.refreshToken, options.credentials.refreshToken);
  }

  /** Refresh tokens currently accepted (the newest one after each grant when rotating). */
  liveRefreshTokens(): string[] {
    return [...this.refreshTokens.keys()];
  }

  grant(params: URLSearchParams): GrantOutcome {
    const { credentials } = this.options;
    const grantType = params.get('grant_type');
    if (grantType !== 'refresh_token') {
      return { status: 200, body: { error: 'unsupported_grant_type' }, issued: false };
    }
    if (
      params.get('client_id') !== credentials.clientId ||
      params.get('client_secret') !== credentials.clientSecret
    ) {
      return { status: 200, body: { error: 'invalid_client' }, issued: false };
    }
    const refreshToken = params.get('refresh_token') ?? '';
    const lineage = this.refreshTokens.get(refreshToken);
    if (lineage === undefined) return { status: 200, body: { error: 'invalid_code' }, issued: false };

    const now = this.now();
    const windowMs = this.options.limit.windowSeconds * 1000;
    const recent = (this.grants.get(lineage) ?? []).filter((at) => now - at < windowMs);
    if (recent.length >= this.options.limit.count) {
      this.grants.set(lineage, recent);
      return { status: 400, body: { ...TOO_MANY_TOKENS_BODY }, issued: false };
    }
    recent.push(now);
    this.grants.set(lineage, recent);

    this.forgetExpired(now);
    const accessToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    this.accessTokens.set(accessToken, now + this.options.ttlSeconds * 1000);
    const body: Record<string, unknown> = { access_token: accessToken };
    if (this.options.rotateRefreshToken) {
      const next = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
      this.refreshTokens.delete(refreshToken);
      this.refreshTokens.set(next, lineage);
      body.refresh_token = next;
    }
    body.api_domain = this.options.apiDomain();
    body.token_type = 'Bearer';
    body.expires_in = this.options.ttlSeconds;
    return { status: 200, body, issued: true };
  }

  check(accessToken: string): TokenCheck {
    const expiresAt = this.accessTokens.get(accessToken);
    if (expiresAt === undefined) return 'invalid';
    return this.now() < expiresAt ? 'valid' : 'expired';
  }

  private forgetExpired(now: number): void {
    // Expired tokens are kept for a minute so a late request still reads as "expired", not "invalid".
    for (const [token, expiresAt] of this.accessTokens) {
      if (expiresAt + 60_000 < now) this.accessTokens.delete(token);
    }
  }
}

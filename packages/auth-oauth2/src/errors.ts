import { SiphonError } from '@siphon/core';

const marker = Symbol.for('@siphon/auth-oauth2/OAuth2Error');

/** Stable codes carried by every `OAuth2Error`. */
export type OAuth2ErrorCode =
  /** The auth config or the token source options are invalid. */
  | 'OAUTH2_INVALID_CONFIG'
  /** The token endpoint answered with an OAuth error (`invalid_grant`, `invalid_client`, or a 200 with `error`). */
  | 'OAUTH2_TOKEN_REJECTED'
  /** The token endpoint answered something that is not a usable token response. */
  | 'OAUTH2_INVALID_RESPONSE'
  /** The token endpoint answered an unexpected HTTP status (5xx, 429, ...), after the HTTP client's retries. */
  | 'OAUTH2_HTTP_STATUS'
  /** The token endpoint could not be reached, or did not answer in time. */
  | 'OAUTH2_NETWORK'
  /** The `onRefreshToken` callback failed, so a rotated refresh token is not persisted yet. */
  | 'OAUTH2_REFRESH_TOKEN_NOT_PERSISTED'
  | 'OAUTH2_UNEXPECTED';

export interface OAuth2ErrorDetails {
  code: OAuth2ErrorCode;
  /** True when trying again later may succeed (network trouble, 5xx, 429). */
  retriable?: boolean | undefined;
  /** Token URL without query string or credentials. */
  tokenUrl?: string | undefined;
  grantType?: string | undefined;
  /** HTTP status of the token endpoint's answer. */
  status?: number | undefined;
  /** The `error` code the server sent, e.g. `invalid_grant` or `invalid_code`. */
  serverError?: string | undefined;
  serverErrorDescription?: string | undefined;
  /** Already sanitised: never pass a third-party error that may hold a secret. */
  cause?: Error | undefined;
}

/**
 * The only error this package throws (a core `SiphonError`). Its message and fields are built from sanitised parts, so
 * serialising it (`JSON.stringify`, `util.inspect`, a logger) cannot reveal a secret.
 */
export class OAuth2Error extends SiphonError {
  declare readonly code: OAuth2ErrorCode;
  readonly tokenUrl: string | undefined;
  readonly grantType: string | undefined;
  readonly status: number | undefined;
  readonly serverError: string | undefined;
  readonly serverErrorDescription: string | undefined;

  constructor(message: string, details: OAuth2ErrorDetails) {
    super(message, { code: details.code, retriable: details.retriable ?? false, cause: details.cause });
    this.tokenUrl = details.tokenUrl;
    this.grantType = details.grantType;
    this.status = details.status;
    this.serverError = details.serverError;
    this.serverErrorDescription = details.serverErrorDescription;
    Object.defineProperty(this, marker, { value: true });
  }

  override toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      ...super.toJSON(),
      tokenUrl: this.tokenUrl,
      grantType: this.grantType,
    };
    if (this.status !== undefined) json.status = this.status;
    if (this.serverError !== undefined) json.serverError = this.serverError;
    return json;
  }

  /** Works across duplicated installs of this package, unlike `instanceof`. */
  static override isInstance(value: unknown): value is OAuth2Error {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

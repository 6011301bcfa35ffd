import type { Redaction } from '@siphon/core';
import { ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { OAuth2Error } from './errors.js';

export interface TokenRequestContext {
  /** Token URL as shown to users (no query string, no credentials). */
  tokenUrl: string;
  grantType: string;
  redactor: Redaction;
  timeoutSeconds: number;
}

/** What an OAuth server says when it refuses, wherever openid-client put it. */
interface ServerRefusal {
  error: string;
  description: string | undefined;
  status: number | undefined;
}

/**
 * Turns whatever openid-client (or the fetch under it) threw into an `OAuth2Error`. The original is
 * never kept as `cause`: openid-client's errors can carry the whole token response, access and
 * refresh token included. Only named fields are copied out, and every text is redacted.
 */
export function translateTokenError(err: unknown, context: TokenRequestContext): OAuth2Error {
  if (OAuth2Error.isInstance(err)) return err;
  const { redactor } = context;
  const refusal = serverRefusal(err);
  if (refusal) return refused(refusal, context);

  const code = err instanceof ClientError ? err.code : undefined;
  const base = { tokenUrl: context.tokenUrl, grantType: context.grantType };
  const prefix = `oauth2: ${context.grantType} token request to ${context.tokenUrl} failed`;

  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
    const response = (err as ClientError).cause;
    const status = response instanceof Response ? response.status : undefined;
    if (code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
      const type = response instanceof Response ? response.headers.get('content-type') : null;
      return new OAuth2Error(
        `${prefix}: the server answered HTTP ${status ?? '?'} with content-type ${type ?? '(none)'}, expected JSON`,
        { ...base, code: 'OAUTH2_INVALID_RESPONSE', status },
      );
    }
    const retriable = status !== undefined && (status >= 500 || status === 429 || status === 408);
    return new OAuth2Error(`${prefix}: the server answered HTTP ${status ?? '?'}`, {
      ...base,
      code: 'OAUTH2_HTTP_STATUS',
      status,
      retriable,
    });
  }
  if (code === 'OAUTH_PARSE_ERROR') {
    // The parser's message quotes the body, which may hold a token: say only what went wrong.
    return new OAuth2Error(`${prefix}: the server answered a body that is not valid JSON`, {
      ...base,
      code: 'OAUTH2_INVALID_RESPONSE',
    });
  }
  if (code === 'OAUTH_INVALID_RESPONSE' || code === 'OAUTH_UNSUPPORTED_OPERATION') {
    return new OAuth2Error(`${prefix}: ${invalidResponseReason(err as ClientError)}`, {
      ...base,
      code: 'OAUTH2_INVALID_RESPONSE',
    });
  }
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') {
    const what =
      code === 'OAUTH_TIMEOUT' ? `no answer within ${context.timeoutSeconds} s` : 'the request was aborted';
    return new OAuth2Error(`${prefix}: ${what}`, { ...base, code: 'OAUTH2_NETWORK', retriable: true });
  }
  if (code === 'OAUTH_HTTP_REQUEST_FORBIDDEN') {
    return new OAuth2Error(`${prefix}: only https token URLs are allowed`, {
      ...base,
      code: 'OAUTH2_INVALID_CONFIG',
    });
  }
  // Left: errors thrown by the fetch itself (network failure, or the HTTP client giving up).
  const original = err instanceof ClientError && err.message === 'something went wrong' ? err.cause : err;
  const cause = sanitise(original, redactor);
  const retriable = isRetriable(original);
  // fetch's own failure is a TypeError "fetch failed"; other TypeErrors are bugs, not the network.
  const isNetwork =
    (original instanceof TypeError && original.message === 'fetch failed') || hasNetworkCode(original);
  const detail = cause ? describeChain(cause) : redactor.text(String(original));
  return new OAuth2Error(`${prefix}: ${isNetwork ? 'could not reach the server: ' : ''}${detail}`, {
    ...base,
    code: isNetwork ? 'OAUTH2_NETWORK' : 'OAUTH2_UNEXPECTED',
    retriable: isNetwork || retriable,
    status: statusOf(original),
    cause,
  });
}

function refused(refusal: ServerRefusal, context: TokenRequestContext): OAuth2Error {
  const description = refusal.description ? context.redactor.text(refusal.description) : undefined;
  const error = context.redactor.text(refusal.error);
  const status = refusal.status === undefined ? '' : ` HTTP ${refusal.status} with`;
  const tooMany = /too many/i.test(`${error} ${description ?? ''}`);
  const hint = tooMany
    ? 'The server limits how many access tokens one refresh token may get (Zoho: 10 in 10 minutes): wait before retrying, and let processes share tokens rather than each refreshing'
    : hintFor(error, context.grantType);
  const message =
    `oauth2: ${context.grantType} token request to ${context.tokenUrl} was refused: the server answered` +
    `${status} error "${error}"${description ? ` (${description})` : ''}${hint ? `. ${hint}` : ''}`;
  return new OAuth2Error(message, {
    code: 'OAUTH2_TOKEN_REJECTED',
    tokenUrl: context.tokenUrl,
    grantType: context.grantType,
    status: refusal.status,
    serverError: error,
    serverErrorDescription: description,
    // A server error status with an OAuth body (e.g. 503 temporarily_unavailable) may pass.
    retriable:
      tooMany ||
      error === 'temporarily_unavailable' ||
      (refusal.status !== undefined && (refusal.status >= 500 || refusal.status === 429)),
  });
}

function hintFor(error: string, grantType: string): string | undefined {
  switch (error) {
    case 'invalid_grant':
    case 'invalid_code':
      return grantType === 'refresh_token'
        ? 'The refresh token is invalid, expired or revoked: issue a new one and update the config'
        : undefined;
    case 'invalid_client':
      return 'Check client_id and client_secret, and whether the server expects client_auth client_secret_basic or client_secret_post';
    case 'unauthorized_client':
    case 'unsupported_grant_type':
      return `The client is not allowed to use the ${grantType} grant`;
    case 'invalid_scope':
      return 'Check the requested scope';
    default:
      return undefined;
  }
}

/** Finds `error`/`error_description` in any of the places openid-client may have put the server's body. */
function serverRefusal(err: unknown): ServerRefusal | undefined {
  if (err instanceof ResponseBodyError) {
    return { error: err.error, description: err.error_description, status: err.status };
  }
  if (err instanceof WWWAuthenticateChallengeError) {
    for (const challenge of err.cause) {
      const error = challenge.parameters.error;
      if (error) return { error, description: challenge.parameters.error_description, status: err.status };
    }
    return { error: 'invalid_client', description: 'WWW-Authenticate challenge', status: err.status };
  }
  // HTTP 200 with {"error": ...}: openid-client reports a missing access_token; the body sits
  // at error.cause.cause.body.
  if (err instanceof ClientError && err.code === 'OAUTH_INVALID_RESPONSE') {
    const body = responseBody(err);
    if (body && typeof body.error === 'string' && body.error !== '') {
      const description = typeof body.error_description === 'string' ? body.error_description : undefined;
      return { error: body.error, description, status: 200 };
    }
  }
  return undefined;
}

function responseBody(err: ClientError): Record<string, unknown> | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const body = (current as { body?: unknown }).body;
    if (body !== null && typeof body === 'object' && !Array.isArray(body))
      return body as Record<string, unknown>;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function invalidResponseReason(err: ClientError): string {
  const body = responseBody(err);
  if (body === undefined) return 'the server answered a JSON body that is not an object';
  if (typeof body.access_token !== 'string') return 'the answer has no access_token';
  if (typeof body.token_type !== 'string') return 'the answer has no token_type';
  if (err.code === 'OAUTH_UNSUPPORTED_OPERATION') {
    return `the answer has token_type "${String(body.token_type).slice(0, 40)}"; only Bearer tokens are supported`;
  }
  // oauth4webapi's messages name the offending property and never quote its value.
  const inner = err.cause instanceof Error ? err.cause.message : err.message;
  return `invalid token response: ${inner}`;
}

/** A copy of an error chain holding only names, redacted messages and string codes. */
function sanitise(err: unknown, redactor: Redaction, depth = 0): Error | undefined {
  if (!(err instanceof Error) || depth > 3) return undefined;
  const cause = sanitise(err.cause, redactor, depth + 1);
  // A plain Error on purpose: a redacted copy of a foreign error, kept as a `cause`, never thrown.
  const copy = new Error(redactor.text(err.message), cause ? { cause } : undefined);
  copy.name = err.name;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

function describeChain(err: Error): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
  }
  return parts.join(': ');
}

function hasNetworkCode(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e instanceof Error && i < 4; e = e.cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return true;
  }
  return false;
}

function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}

function statusOf(err: unknown): number | undefined {
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}

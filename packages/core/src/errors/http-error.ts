import { hasMarker, SiphonError } from './siphon-error.js';

const marker = Symbol.for('@siphon/core.HttpError');

/** What went wrong with one API call. URLs and excerpts are already redacted. */
export interface HttpErrorDetails {
  code:
    | 'HTTP_STATUS'
    | 'RETRIES_EXHAUSTED'
    | 'NETWORK'
    | 'RESPONSE_NOT_JSON'
    | 'DATA_SELECTOR'
    | 'UNAUTHORIZED'
    | 'ABORTED'
    | 'HOST_NOT_ALLOWED'
    | 'RESPONSE_TOO_LARGE';
  resource?: string | undefined;
  method: string;
  url: string;
  status?: number | undefined;
  attempts: number;
  /** Start of the response body, whitespace collapsed, secrets removed. */
  excerpt?: string | undefined;
  retriable?: boolean | undefined;
  cause?: unknown;
}

/** An API call failed for good: a non-retriable status, a bad body, or retries ran out. */
export class HttpError extends SiphonError {
  readonly resource: string | undefined;
  readonly method: string;
  readonly url: string;
  readonly status: number | undefined;
  readonly attempts: number;
  readonly excerpt: string | undefined;
  readonly [marker] = true;

  constructor(summary: string, details: HttpErrorDetails) {
    super(formatMessage(summary, details), {
      code: details.code,
      retriable: details.retriable ?? false,
      cause: details.cause,
    });
    this.resource = details.resource;
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.attempts = details.attempts;
    this.excerpt = details.excerpt;
  }

  static override isInstance(error: unknown): error is HttpError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      resource: this.resource,
      method: this.method,
      url: this.url,
      status: this.status,
      attempts: this.attempts,
      excerpt: this.excerpt,
    };
  }
}

function formatMessage(summary: string, d: HttpErrorDetails): string {
  const who = d.resource ? `resource "${d.resource}": ` : '';
  const attempts = d.attempts > 1 ? ` (after ${d.attempts} attempts)` : '';
  const body = d.excerpt ? `; body starts: ${d.excerpt}` : '';
  return `${who}${d.method} ${d.url}: ${summary}${attempts}${body}`;
}

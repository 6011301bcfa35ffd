/**
 * Base class of every error Siphon throws on purpose. `code` is stable (match on it, not on the
 * message), `retriable` says whether trying again later can help, and `isInstance` works across
 * duplicated installs because it checks a `Symbol.for` marker rather than the prototype chain.
 *
 * Codes follow one scheme, `ERROR_CODE`: upper snake case (`HTTP_STATUS`, `OAUTH2_NETWORK`,
 * `KAFKA_TOPIC_SETTLING`). A code names what went wrong, not where; a package whose codes could
 * be mistaken for another's prefixes them with its area (`OAUTH2_`, `KAFKA_`, `REGISTRY_`,
 * `RUNNER_`, `SANDBOX_`).
 */
// The marker keeps the name it had in @siphon/core, so errors from either install are recognised.
const siphonErrorMarker = Symbol.for('@siphon/core.SiphonError');

/** Upper snake case: letters and digits in words joined by `_`, starting with a letter. */
export const ERROR_CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

export interface SiphonErrorOptions {
  code: string;
  retriable?: boolean;
  cause?: unknown;
}

export class SiphonError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly [siphonErrorMarker] = true;

  constructor(message: string, options: SiphonErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable ?? false;
  }

  static isInstance(error: unknown): error is SiphonError {
    return hasMarker(error, siphonErrorMarker);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retriable: this.retriable };
  }
}

export function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

/**
 * The thrown value as an `Error`: itself when it is one, else a `SiphonError` (`NOT_AN_ERROR`)
 * whose message is the value as text and whose `cause` is the value.
 */
export function asError(value: unknown): Error {
  return value instanceof Error
    ? value
    : new SiphonError(String(value), { code: 'NOT_AN_ERROR', cause: value });
}

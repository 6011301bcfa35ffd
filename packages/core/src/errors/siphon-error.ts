/**
 * Base class of every error Siphon throws on purpose. `code` is stable (match on it, not on the
 * message), `retriable` says whether trying again later can help, and `isInstance` works across
 * duplicated installs because it checks a `Symbol.for` marker rather than the prototype chain.
 */
const siphonErrorMarker = Symbol.for('@siphon/core.SiphonError');

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

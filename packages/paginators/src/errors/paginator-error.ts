import { hasMarker, SiphonError } from '@siphon/errors';

const marker = Symbol.for('@siphon/paginators.error');

/**
 * Base of every error this package throws. `code` is stable (match on it, not on the message);
 * `resource` is filled in by the loop guard when the error passes through it.
 */
export class PaginatorError extends SiphonError {
  readonly [marker] = true;
  resource: string | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; resource?: string }) {
    super(options?.resource ? `resource "${options.resource}": ${message}` : message, {
      code,
      retriable: false,
      cause: options?.cause,
    });
    this.resource = options?.resource;
  }

  /** Works across duplicated installs of this package, unlike `instanceof`. */
  static override isInstance(error: unknown): error is PaginatorError {
    return hasMarker(error, marker);
  }

  /** Names the resource in the message, once. */
  attachResource(resource: string): this {
    if (this.resource === undefined) {
      this.resource = resource;
      this.message = `resource "${resource}": ${this.message}`;
    }
    return this;
  }
}

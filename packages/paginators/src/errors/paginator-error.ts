const marker = Symbol.for('@siphon/paginators.error');

/**
 * Base of every error this package throws. `code` is stable (match on it, not on the message);
 * `resource` is filled in by the loop guard when the error passes through it.
 */
export class PaginatorError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly retriable = false;
  resource: string | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; resource?: string }) {
    super(options?.resource ? `resource "${options.resource}": ${message}` : message, options);
    this.name = new.target.name;
    this.code = code;
    this.resource = options?.resource;
  }

  /** Works across duplicated installs of this package, unlike `instanceof`. */
  static isInstance(error: unknown): error is PaginatorError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
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

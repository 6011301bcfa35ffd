import { hasMarker, SiphonError } from './siphon-error.js';

const marker = Symbol.for('@siphon/core.ExtractError');

/** A resource could not be extracted for a reason other than HTTP (cursor missing, bad record...). */
export class ExtractError extends SiphonError {
  readonly resource: string;
  readonly [marker] = true;

  constructor(resource: string, message: string, options: { code: string; cause?: unknown }) {
    super(`resource "${resource}": ${message}`, options);
    this.resource = resource;
  }

  static override isInstance(error: unknown): error is ExtractError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), resource: this.resource };
  }
}

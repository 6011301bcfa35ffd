import { hasMarker, SiphonError } from './siphon-error.js';

const marker = Symbol.for('@siphon/core.SecretNotFoundError');

export interface MissingSecret {
  name: string;
  /** Human-readable places that were searched, e.g. `environment variable API_KEY`. */
  lookedIn: string[];
}

/** One or more secrets referenced by the config could not be found. Never carries a value. */
export class SecretNotFoundError extends SiphonError {
  readonly missing: readonly MissingSecret[];
  readonly [marker] = true;

  constructor(missing: readonly MissingSecret[]) {
    const lines = missing.map((m) => `  - "${m.name}": looked in ${m.lookedIn.join('; ') || 'no provider'}`);
    super([`Missing secret${missing.length === 1 ? '' : 's'}:`, ...lines].join('\n'), {
      code: 'SECRET_NOT_FOUND',
    });
    this.missing = missing;
  }

  static override isInstance(error: unknown): error is SecretNotFoundError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), missing: this.missing };
  }
}

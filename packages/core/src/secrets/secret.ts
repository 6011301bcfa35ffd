const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

import { REDACTED } from '../redaction.js';

/**
 * A resolved secret value. It prints, serialises and inspects as `[redacted]`; only `reveal()`
 * returns the value, and only code that sends it (auth, headers) should call it.
 */
export class Secret {
  readonly #value: string;
  /** The key it was resolved from, e.g. `api_key`. Safe to show. */
  readonly name: string;

  constructor(name: string, value: string) {
    this.name = name;
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspectCustom](): string {
    return `Secret(${this.name}) ${REDACTED}`;
  }

  static isSecret(value: unknown): value is Secret {
    return value instanceof Secret;
  }
}

/**
 * A reference to a secret by key, resolved later by a `SecretsProvider`. In TS configs it comes
 * from `dlt.secrets["key"]`; in JSON/YAML from `{ "$secret": "key" }` or the string `dlt.secrets["key"]`.
 */
export class SecretRef {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  toJSON(): { $secret: string } {
    return { $secret: this.name };
  }

  toString(): string {
    return `dlt.secrets["${this.name}"]`;
  }

  [inspectCustom](): string {
    return `SecretRef(${this.name})`;
  }
}

/** The plain text of a value that may be a `Secret`; use only where the value is sent. */
export function reveal(value: string | Secret): string {
  return value instanceof Secret ? value.reveal() : value;
}

export { REDACTED };

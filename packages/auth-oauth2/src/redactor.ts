const MASK = '[redacted]';
/** Shorter values are not masked: replacing every "ab" in a message would garble it and hide nothing. */
const MIN_SECRET_LENGTH = 4;
/** Old access tokens are forgotten past this many; they expire anyway. */
const MAX_TRANSIENT = 16;

/**
 * Masks every known secret value (and its URL-encoded form) in text that is about to leave this
 * package: error messages, error descriptions sent by the server, messages of wrapped causes.
 */
export class Redactor {
  readonly #permanent = new Set<string>();
  readonly #transient: string[] = [];

  /** Client secret and refresh tokens: remembered for the life of the token source. */
  addPermanent(secret: string | undefined): void {
    for (const form of forms(secret)) this.#permanent.add(form);
  }

  /** Access tokens: only the most recent few are remembered. */
  addTransient(secret: string | undefined): void {
    for (const form of forms(secret)) {
      if (this.#transient.includes(form)) continue;
      this.#transient.push(form);
      if (this.#transient.length > MAX_TRANSIENT) this.#transient.shift();
    }
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    const secrets = [...this.#permanent, ...this.#transient].sort((a, b) => b.length - a.length);
    for (const secret of secrets) out = out.split(secret).join(MASK);
    return out;
  }
}

function forms(secret: string | undefined): string[] {
  if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return [];
  const encoded = encodeURIComponent(secret);
  const formEncoded = new URLSearchParams({ s: secret }).toString().slice(2);
  return [...new Set([secret, encoded, formEncoded])];
}

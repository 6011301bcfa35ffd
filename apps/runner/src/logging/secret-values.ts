const MIN_LENGTH = 4;

/**
 * The secret values this process knows (from the pipelines file, resolved secrets, rotated
 * tokens). `scrub` replaces each, raw or JSON-escaped, in a line of text: a safety net under the
 * key-based redaction, for secrets that end up inside a message or an error.
 */
export class SecretValues {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  add(value: string | undefined): void {
    if (value === undefined || value.length < MIN_LENGTH || this.#values.has(value)) return;
    this.#values.add(value);
    this.#pattern = undefined;
  }

  addAll(values: Iterable<string>): void {
    for (const value of values) this.add(value);
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= this.#compile();
    return text.replace(this.#pattern, '[redacted]');
  }

  #compile(): RegExp {
    const forms = new Set<string>();
    for (const value of this.#values) {
      forms.add(value);
      forms.add(JSON.stringify(value).slice(1, -1));
      forms.add(encodeURIComponent(value));
    }
    // Longest first, so a secret that contains another is replaced whole.
    const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    return new RegExp(alternatives.join('|'), 'g');
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Credentials in header or URL form that no config value names, e.g. a freshly issued access token. */
const CREDENTIAL_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic|Zoho-oauthtoken)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 [redacted]'],
  [
    /([?&](?:access_token|refresh_token|client_secret|api_key|apikey|token|password)=)[^&\s"]+/gi,
    '$1[redacted]',
  ],
  [/(\/\/[^/\s:@"]+:)[^@\s/"]+@/g, '$1[redacted]@'],
];

export function scrubCredentials(text: string): string {
  let out = text;
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

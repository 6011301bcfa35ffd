import { REDACTED } from '../secrets/secret.js';

const sensitiveParamName =
  /token|secret|passw|api[-_]?key|apikey|access[-_]?key|signature|credential|auth|session|^key$|^sig$|^code$/i;

/**
 * Removes secrets from text that may end up in an error, event or log: known secret values
 * (raw and URL-encoded), URL user-info, and query params with credential-like names.
 */
export class Redactor {
  #values: string[] = [];
  readonly #queryParams = new Set<string>();

  addValue(value: string): this {
    // Very short values would redact ordinary words; nobody uses a 3-character credential.
    if (value.length < 4) return this;
    const forms = new Set([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
    ]);
    for (const form of forms) if (!this.#values.includes(form)) this.#values.push(form);
    this.#values.sort((a, b) => b.length - a.length);
    return this;
  }

  addValues(values: Iterable<string>): this {
    for (const value of values) this.addValue(value);
    return this;
  }

  /** A query param that carries a credential under a name the generic rule does not catch. */
  addQueryParam(name: string): this {
    this.#queryParams.add(name.toLowerCase());
    return this;
  }

  text(text: string): string {
    let out = text;
    for (const value of this.#values) out = out.split(value).join(REDACTED);
    return out;
  }

  url(input: string | URL): string {
    let url: URL;
    try {
      url = new URL(String(input));
    } catch {
      return this.text(String(input));
    }
    if (url.username || url.password) {
      url.username = url.username ? 'redacted' : '';
      url.password = '';
    }
    for (const name of new Set(url.searchParams.keys())) {
      if (sensitiveParamName.test(name) || this.#queryParams.has(name.toLowerCase())) {
        url.searchParams.set(name, REDACTED);
      }
    }
    return this.text(url.toString().replace(/%5Bredacted%5D/g, REDACTED));
  }
}

/** The first `max` characters of a body, whitespace collapsed, for error messages. */
export function excerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

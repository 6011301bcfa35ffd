/**
 * Redaction: the one place that decides what looks like a secret, used at every output boundary
 * (logs, error messages, CLI output, HTTP endpoints, state JSON). Two mechanisms:
 *
 * - known values: every secret this process holds (resolved config secrets, secret files,
 *   secret-named environment variables, tokens), masked wherever they appear, raw or encoded;
 * - shapes: credentials no config names (a fresh access token, a password in a URL someone typed,
 *   a header an API echoes back), recognised by the name they are given (`looksSecret`) or by the
 *   form of an authorization header or a URL's user-info.
 */

export const REDACTED = '[redacted]';

/** Shorter values are not masked as known values: replacing every "ab" would garble text and hide nothing. */
const MIN_SECRET_LENGTH = 4;
/** Access tokens are forgotten past this many (they expire anyway), so a long run does not grow the list. */
const MAX_TRANSIENT = 16;

/** Words that make a name (config key, query param, header, environment variable, JSON field) secret. */
const SECRET_WORD =
  /passw|passphrase|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|signature|^sig$|credential|^auth$|authorization|cookie|session[-_]?(?:id|key|token)|^key$/i;
/** Names that describe a secret rather than hold one: `token_url`, `api_key_name`, `token_type`, `expires_in`. */
const DESCRIBES_SECRET =
  /(?:url|uri|endpoint|path|type|method|name|location|header|param|expires_in|expires_at|ttl|count|timeout|limit|source|file)$/i;

/** The one rule for "this name holds a secret". */
export function looksSecret(name: string): boolean {
  return SECRET_WORD.test(name) && !DESCRIBES_SECRET.test(name);
}

/** The rule for environment variables: a secret-looking name (`*_TOKEN`, `*_PASSWORD`, `*_KEY`, ...). */
export function looksSecretEnvName(name: string): boolean {
  return looksSecret(name) || /(?:^|_)(?:KEY|PASS)(?:_|$)/i.test(name);
}

const AUTH_SCHEME_WORD = /^(?:Bearer|Basic|Digest|Token|Zoho-oauthtoken)$/i;
/** A scheme and its credential ("Token" only before a value with a digit or symbol: "token request" is prose). */
const AUTH_SCHEME =
  /\b(Bearer|Basic|Digest|Zoho-oauthtoken|Token(?=\s+[A-Za-z]*[0-9._~+/=-]))(\s+)[A-Za-z0-9._~+/=-]{6,}/gi;
/** Placeholders such as `[redacted]` or `[encrypted]` are left as they are. */
const PLACEHOLDER = /^\[[a-z ]+\]$/;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"'<>]*:)[^@\s/"'<>]+@/gi;
const NAME_EQUALS = /([?&;]|\b)([A-Za-z][\w.-]*)=([^&\s#"'<>]+)/g;
const JSON_PAIR = /"([^"\\]{1,80})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
/** `X-Api-Key: abc` (a header echoed in an error body): only names with a dash or underscore, or well-known ones. */
const HEADER_LINE =
  /\b([A-Za-z][\w]*[-_][\w-]*|authorization|password|secret|token)(\s*:\s*)([^\s,;"'}&]{4,})/gi;

/**
 * Masks secrets in text by shape only: authorization headers, URL user-info, and values of
 * secret-named query params, JSON fields and header lines. For text from anywhere (a library's
 * error, an API's body) when no {@link Redaction} with the known values is at hand.
 */
export function redact(text: string): string {
  return redactShapes(text, undefined);
}

function redactShapes(text: string, extraNames: ReadonlySet<string> | undefined): string {
  const secretName = (name: string) => looksSecret(name) || extraNames?.has(name.toLowerCase()) === true;
  return text
    .replace(AUTH_SCHEME, `$1$2${REDACTED}`)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(JSON_PAIR, (whole, name: string, colon: string, value: string) =>
      secretName(name) && value !== '' && !PLACEHOLDER.test(value) ? `"${name}"${colon}"${REDACTED}"` : whole,
    )
    .replace(NAME_EQUALS, (whole, lead: string, name: string, value: string) =>
      secretName(name) && !PLACEHOLDER.test(value) ? `${lead}${name}=${REDACTED}` : whole,
    )
    .replace(HEADER_LINE, (whole, name: string, colon: string, value: string) =>
      secretName(name) && !value.startsWith('[') && !AUTH_SCHEME_WORD.test(value)
        ? `${name}${colon}${REDACTED}`
        : whole,
    );
}

/** The forms a value takes in text: raw, URL-encoded, form-encoded and JSON-escaped. */
function formsOf(value: string): string[] {
  return [
    ...new Set([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      JSON.stringify(value).slice(1, -1),
    ]),
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The secrets one process (or one source) knows, and the masking of them and of credential shapes.
 * Every output boundary runs its text through `text`, its URLs through `url` and its JSON through
 * `object`.
 */
export class Redaction {
  readonly #permanent = new Set<string>();
  readonly #transient: string[] = [];
  readonly #queryParams = new Set<string>();
  #pattern: RegExp | null | undefined;

  /** A secret for the life of this instance (config secrets, client secrets, refresh tokens). */
  add(value: string | undefined | null): this {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return this;
    const before = this.#permanent.size;
    for (const form of formsOf(value)) this.#permanent.add(form);
    if (this.#permanent.size !== before) this.#pattern = undefined;
    return this;
  }

  addAll(values: Iterable<string>): this {
    for (const value of values) this.add(value);
    return this;
  }

  /** A short-lived secret (an access token): only the most recent few are remembered. */
  addTransient(value: string | undefined | null): this {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return this;
    for (const form of formsOf(value)) {
      if (this.#transient.includes(form) || this.#permanent.has(form)) continue;
      this.#transient.push(form);
      if (this.#transient.length > MAX_TRANSIENT) this.#transient.shift();
      this.#pattern = undefined;
    }
    return this;
  }

  /** Values of secret-named environment variables (see {@link looksSecretEnvName}). */
  addEnv(env: Record<string, string | undefined>): this {
    for (const [name, value] of Object.entries(env)) if (looksSecretEnvName(name)) this.add(value);
    return this;
  }

  /** A query param that carries a credential under a name the general rule does not catch. */
  addQueryParam(name: string): this {
    this.#queryParams.add(name.toLowerCase());
    return this;
  }

  /** How many known values (in all their forms) this instance masks. */
  get size(): number {
    return this.#permanent.size + this.#transient.length;
  }

  text(text: string): string {
    if (this.#pattern === undefined) this.#pattern = this.#compile();
    const known = this.#pattern ? text.replace(this.#pattern, REDACTED) : text;
    return redactShapes(known, this.#queryParams);
  }

  /** A URL fit for output: user-info password, secret-named params and known values masked. */
  url(input: string | URL): string {
    return this.text(String(input));
  }

  /**
   * A deep copy of JSON-like data with the values of secret-named keys masked and every string
   * (keys included) run through `text` (for /readyz, `state --json`, `check --json`, log objects).
   */
  object<T>(value: T): T {
    return this.#walk(value, 0, new WeakSet()) as T;
  }

  #walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object' || depth > 12) return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.#walk(item, depth + 1, seen));
    if (value instanceof Error) {
      return { name: value.name, message: this.text(value.message) };
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const masked = looksSecret(key) && (typeof item === 'string' || typeof item === 'number');
      // Keys are output too (a check named after a URL with a password in it).
      out[this.text(key)] = masked ? REDACTED : this.#walk(item, depth + 1, seen);
    }
    return out;
  }

  #compile(): RegExp | null {
    const forms = [...this.#permanent, ...this.#transient];
    if (forms.length === 0) return null;
    // Longest first, so a secret that contains another is masked whole.
    forms.sort((a, b) => b.length - a.length);
    return new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  }
}

/** One link of an RFC 8288 `Link` header. */
export interface WebLink {
  /** The target exactly as written between `<` and `>`; resolve it against the response URL. */
  target: string;
  /** Relation types, lower-cased (`rel="next last"` gives `['next', 'last']`). */
  rel: string[];
  /** Every parameter, names lower-cased; the first occurrence of a name wins (RFC 8288 §3). */
  params: Record<string, string>;
}

/**
 * Parses a `Link` header value (several headers joined with ", " work too).
 * Hand-written: the grammar is small, and the common packages split on commas or use regexes, which
 * break on commas inside `<...>` and in quoted parameter values. It is lenient like browsers:
 * a malformed link is skipped, never fatal.
 */
export function parseLinkHeader(header: string | null | undefined): WebLink[] {
  const links: WebLink[] = [];
  if (!header) return links;
  let i = 0;
  const n = header.length;
  while (i < n) {
    i = skipWhitespace(header, i);
    if (header[i] === ',') {
      i += 1;
      continue;
    }
    if (header[i] !== '<') {
      i = skipToNextLink(header, i);
      continue;
    }
    const close = header.indexOf('>', i + 1);
    if (close === -1) break;
    const target = header.slice(i + 1, close).trim();
    i = close + 1;
    const params: Record<string, string> = {};
    for (;;) {
      i = skipWhitespace(header, i);
      if (header[i] !== ';') break;
      i = skipWhitespace(header, i + 1);
      const nameStart = i;
      while (i < n && /[^\s=;,]/.test(header[i] as string)) i += 1;
      const name = header.slice(nameStart, i).toLowerCase();
      i = skipWhitespace(header, i);
      let value = '';
      if (header[i] === '=') {
        i = skipWhitespace(header, i + 1);
        if (header[i] === '"') {
          [value, i] = readQuoted(header, i);
        } else {
          const valueStart = i;
          while (i < n && /[^\s;,]/.test(header[i] as string)) i += 1;
          value = header.slice(valueStart, i);
        }
      }
      if (name !== '' && !(name in params)) params[name] = value;
    }
    const rel = (params.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    links.push({ target, rel, params });
    i = skipToNextLink(header, i);
  }
  return links;
}

/** The target of the first link with relation `rel`, resolved against `base`; `undefined` if none. */
export function findLink(header: string | null | undefined, rel: string, base: string): string | undefined {
  const wanted = rel.toLowerCase();
  const link = parseLinkHeader(header).find((candidate) => candidate.rel.includes(wanted));
  if (link === undefined) return undefined;
  try {
    return new URL(link.target, base).toString();
  } catch {
    return undefined;
  }
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i += 1;
  return i;
}

/** Reads a quoted-string starting at its opening quote; returns the unescaped value and the next index. */
function readQuoted(text: string, open: number): [string, number] {
  let value = '';
  let i = open + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i += 1;
    value += text[i];
    i += 1;
  }
  return [value, i + 1];
}

/** Skips past the next comma that is outside `<...>` and quotes, i.e. to the next link. */
function skipToNextLink(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const char = text[i];
    if (char === ',') return i + 1;
    if (char === '"') [, i] = readQuoted(text, i);
    else if (char === '<') {
      const close = text.indexOf('>', i + 1);
      i = close === -1 ? text.length : close + 1;
    } else i += 1;
  }
  return i;
}

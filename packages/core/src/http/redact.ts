/** The first `max` characters of a body, whitespace collapsed, for error messages (redact the body first: a cut secret is no longer recognised). */
export function excerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

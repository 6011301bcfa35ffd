const SECRET_NAME = /key|token|secret|signature|sig$|password|passwd|auth|credential|session/i;

/** A URL fit for an error message: values of query params that look like credentials are masked. */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return truncate(url);
  }
  parsed.username = '';
  parsed.password = '';
  for (const name of new Set(parsed.searchParams.keys())) {
    if (SECRET_NAME.test(name)) parsed.searchParams.set(name, '***');
  }
  return truncate(parsed.toString());
}

/** Shortens a value for a message. */
export function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A URL shortened for a message. Paginator errors are raw: the engine that runs paginators (core)
 * masks secrets at its error boundary with its one redaction module, so no second rule for "what
 * looks like a secret" lives here.
 */
export function shownUrl(url: string): string {
  return truncate(url);
}

/** Shortens a value for a message. */
export function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

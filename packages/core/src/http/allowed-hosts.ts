/**
 * Where the engine may go: next-page links and redirects come from API responses, so they are
 * followed only over http(s), and only to `base_url`'s origin, the origins of absolute endpoint
 * paths in the config, or hosts listed in `client.allowed_hosts`.
 */
export type HostPattern = { origin: string } | { host: string } | { hostname: string };

/** Parses one `allowed_hosts` entry: an http(s) origin, `host:port` or a bare host name. */
export function hostPattern(value: string): HostPattern | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && value.includes('//')) {
    if (!URL.canParse(value)) return undefined;
    const url = new URL(value);
    if (!/^https?:$/.test(url.protocol) || url.username || url.search || url.pathname !== '/')
      return undefined;
    return { origin: url.origin };
  }
  if (value === '' || /[/?#@\s]/.test(value) || !URL.canParse(`http://${value}`)) return undefined;
  const url = new URL(`http://${value}`);
  return /:\d+$/.test(value) ? { host: value.toLowerCase() } : { hostname: url.hostname };
}

export class HostAllowList {
  readonly #origins = new Set<string>();
  readonly #patterns: HostPattern[] = [];

  constructor(baseUrl: URL, allowedHosts: readonly string[] = [], origins: readonly string[] = []) {
    this.#origins.add(baseUrl.origin);
    for (const origin of origins) this.#origins.add(origin);
    for (const entry of allowedHosts) {
      const pattern = hostPattern(entry);
      if (pattern) this.#patterns.push(pattern);
    }
  }

  /** Why the engine must not go to `url`, or undefined when it may. */
  refusal(url: URL): string | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `it is not an http(s) URL (${url.protocol}); only http(s) links are followed`;
    }
    if (this.#origins.has(url.origin)) return undefined;
    for (const pattern of this.#patterns) {
      if ('origin' in pattern && pattern.origin === url.origin) return undefined;
      if ('host' in pattern && pattern.host === url.host.toLowerCase()) return undefined;
      if ('hostname' in pattern && pattern.hostname === url.hostname) return undefined;
    }
    return `it leads to ${url.host}, outside ${[...this.#origins].join(', ')}; list "${url.host}" in client.allowed_hosts to follow it`;
  }
}

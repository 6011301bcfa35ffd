import type { PageResponse, RequestSpec } from '../src/index.js';

/** A response as core would hand it to a paginator. */
export function page(options: {
  body?: unknown;
  records?: unknown[];
  headers?: Record<string, string>;
  url?: string;
  status?: number;
}): PageResponse {
  const headers = new Headers(options.headers ?? {});
  return {
    url: options.url ?? 'https://api.example.com/items',
    status: options.status ?? 200,
    headers,
    body: options.body ?? {},
    records: options.records ?? [],
  };
}

export function request(
  url = 'https://api.example.com/items',
  params: Record<string, string> = {},
): RequestSpec {
  return { url, params };
}

/** `n` distinct records starting at id `from`. */
export function records(n: number, from = 1): { id: number }[] {
  return Array.from({ length: n }, (_, i) => ({ id: from + i }));
}

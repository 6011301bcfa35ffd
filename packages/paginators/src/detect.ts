import { readSegments } from './json-path/segments.js';
import { parseLinkHeader } from './link-header.js';
import type { StaticPaginatorConfig } from './strategies/build.js';
import type { PageResponse } from './types.js';

/** What auto-detection chose, and why (for the log line). */
export interface Detection {
  config: StaticPaginatorConfig;
  reason: string;
}

/** Body fields holding the next page's URL (a null value means "last page"). */
const NEXT_URL_FIELDS = [
  'next',
  'next_url',
  'nextUrl',
  'next_page_url',
  'links.next',
  'links.next.href',
  '_links.next.href',
  'paging.next',
  'pagination.next',
  '@odata.nextLink',
];

/** Body fields holding a next cursor, and the query param that conventionally takes it back. */
const CURSOR_FIELDS: ReadonlyArray<readonly [path: string, param: string]> = [
  ['meta.next_page', 'page'],
  ['next_page', 'page'],
  ['meta.next_cursor', 'cursor'],
  ['next_cursor', 'cursor'],
  ['response_metadata.next_cursor', 'cursor'],
  ['pagination.next_cursor', 'cursor'],
  ['cursors.next', 'cursor'],
  ['next_page_token', 'page_token'],
  ['nextPageToken', 'pageToken'],
  ['cursor', 'cursor'],
  ['next', 'cursor'],
];

/** Body flags saying whether more pages follow. */
const HAS_MORE_FIELDS = [
  'page_context.has_more_page',
  'has_more_page',
  'has_more',
  'meta.has_more',
  'hasMore',
];

/** Body fields echoing the current page number. */
const CURRENT_PAGE_FIELDS = ['page_context.page', 'meta.current_page', 'meta.page', 'current_page', 'page'];

const PAGING_RELS = new Set(['next', 'prev', 'previous', 'first', 'last']);

/**
 * Looks at the first response for pagination hints, in this order: a `Link` header with paging
 * relations → `header_link`; a next-page URL in the body → `json_link`; a next cursor →
 * `cursor`; a "has more" flag → `page_number`; nothing → `single_page`. A hint with a null value
 * counts (it is the last page), so a one-page result is detected like any other.
 */
export function detectPaginator(response: PageResponse): Detection {
  const links = parseLinkHeader(response.headers.get('link'));
  if (links.some((link) => link.rel.some((rel) => PAGING_RELS.has(rel)))) {
    return { config: { type: 'header_link' }, reason: 'the Link header has paging links' };
  }
  const body = response.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { config: { type: 'single_page' }, reason: 'the body is not an object with pagination fields' };
  }
  for (const path of NEXT_URL_FIELDS) {
    const field = lookup(body, path);
    if (field.present && (field.value === null || isUrlLike(field.value))) {
      return {
        config: { type: 'json_link', next_url_path: quotePath(path) },
        reason: `body field "${path}" holds the next page URL`,
      };
    }
  }
  for (const [path, param] of CURSOR_FIELDS) {
    const field = lookup(body, path);
    const value = field.value;
    if (field.present && isUrlLike(value)) {
      return {
        config: { type: 'json_link', next_url_path: path },
        reason: `body field "${path}" holds the next page URL`,
      };
    }
    if (
      field.present &&
      (value === null || (typeof value === 'string' && value !== '') || typeof value === 'number')
    ) {
      return {
        config: { type: 'cursor', cursor_path: quotePath(path), cursor_param: param },
        reason: `body field "${path}" holds the next cursor, sent back as "${param}"`,
      };
    }
  }
  for (const path of HAS_MORE_FIELDS) {
    const field = lookup(body, path);
    if (field.present && typeof field.value === 'boolean') {
      const echoed = CURRENT_PAGE_FIELDS.map((p) => lookup(body, p).value).find(
        (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0,
      );
      const page = echoed ?? 1;
      return {
        config: { type: 'page_number', has_more_path: path, base_page: Math.min(page, 1), page },
        reason: `body flag "${path}" says whether more pages follow; this was page ${page}${echoed === undefined ? ' (assumed: the body does not echo it)' : ''}`,
      };
    }
  }
  return { config: { type: 'single_page' }, reason: 'no pagination hints in the headers or body' };
}

function lookup(body: object, path: string): { present: boolean; value: unknown } {
  const segments = path.startsWith('@') ? [path] : path.split('.');
  const parent = readSegments(body, segments.slice(0, -1));
  const last = segments[segments.length - 1] as string;
  if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, last)) {
    return { present: false, value: undefined };
  }
  return { present: true, value: (parent as Record<string, unknown>)[last] };
}

/** `@odata.nextLink` is one key with a dot in it. */
function quotePath(path: string): string {
  return path.startsWith('@') ? `['${path}']` : path;
}

function isUrlLike(value: unknown): boolean {
  return typeof value === 'string' && /^(https?:\/\/|\/|\?)/i.test(value);
}

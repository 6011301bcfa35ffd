import { createHash } from 'node:crypto';
import { PaginationLoopError } from './errors/pagination-loop-error.js';
import { PaginatorError } from './errors/paginator-error.js';
import { shownUrl, truncate } from './redact.js';
import { describeValue } from './request.js';
import { boundValue, type PaginatorBound } from './strategies/range-rules.js';
import type { PageResponse, Paginator, RequestSpec } from './types.js';

export interface GuardContext {
  /** Resource name, put in every error. */
  resource: string;
  /** Checked on every request; defaults to the paginator's own `bound` (`maximum_page`, `maximum_offset`). */
  bound?: PaginatorBound;
}

/**
 * Wraps a paginator so a run can never loop forever. It stops with {@link PaginationLoopError} when
 * - a request would repeat one already made in this run (same URL, params and JSON body);
 * - a request goes to or past `maximum_page` / `maximum_offset`;
 * - a page of two or more records starts and ends with the same records as the page before it,
 *   which means the API ignores the paginator's parameter (a wrong `page_param`, say).
 * It remembers a 16-byte hash per request, so its memory stays small on long runs. Predicted
 * requests (`requestsAfter`) stop short of the bound and of requests already made.
 * Errors of this package thrown by the paginator get the resource name added.
 */
export function guardPaginator(paginator: Paginator, context: GuardContext): Paginator {
  const resource = context.resource;
  const bound = context.bound ?? (paginator as { bound?: PaginatorBound }).bound;
  const seen = new Set<string>();
  let base: RequestSpec | undefined;
  let previous: { request: RequestSpec; signature: string | undefined } | undefined;

  const admit = (request: RequestSpec, from: RequestSpec | undefined): RequestSpec => {
    if (bound !== undefined) {
      const value = boundValue(bound, request);
      if (value !== undefined && value >= bound.maximum) {
        const position = describeValue(bound.target, value);
        const what = bound.option === 'maximum_page' ? 'pages' : 'offsets';
        throw new PaginationLoopError(
          `the paginator asked for ${position}, but ${bound.option} is ${bound.maximum} (${what} from ${bound.option} on are never requested)`,
          position,
          resource,
        );
      }
    }
    const key = requestKey(request);
    if (seen.has(key)) {
      const [position, before] = describePair(base ?? request, request, from);
      const after = before === undefined ? '' : ` right after ${before}`;
      throw new PaginationLoopError(
        `the paginator asked twice for the same page (${position})${after}; stopping instead of looping forever`,
        position,
        resource,
      );
    }
    seen.add(key);
    return request;
  };

  const withResource = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (PaginatorError.isInstance(error)) error.attachResource(resource);
      throw error;
    }
  };

  const predict = paginator.requestsAfter?.bind(paginator);
  /** Predictions stop before the bound and before any request already made (it would be a loop). */
  const requestsAfter = (next: RequestSpec, response: PageResponse, count: number): RequestSpec[] =>
    withResource(() => {
      const ahead: RequestSpec[] = [];
      for (const request of (predict as NonNullable<typeof predict>)(next, response, count)) {
        if (ahead.length >= count) break;
        const value = bound === undefined ? undefined : boundValue(bound, request);
        if (value !== undefined && value >= (bound as PaginatorBound).maximum) break;
        if (seen.has(requestKey(request))) break;
        ahead.push(request);
      }
      return ahead;
    });

  return {
    type: paginator.type,
    ...(predict === undefined ? {} : { requestsAfter }),
    initRequest(request) {
      return withResource(() => {
        base = request;
        seen.clear();
        previous = undefined;
        return admit(paginator.initRequest(request), undefined);
      });
    },
    nextRequest(request, response) {
      return withResource(() => {
        const signature = pageSignature(response);
        if (signature !== undefined && previous !== undefined && previous.signature === signature) {
          const [now, before] = describePair(base ?? request, request, previous.request);
          throw new PaginationLoopError(
            `${now} returned the same ${response.records.length} records as ${before}; the API probably ignores the paginator's parameter (check the paginator config), stopping instead of looping forever`,
            now,
            resource,
          );
        }
        previous = { request, signature };
        const next = paginator.nextRequest(request, response);
        return next === undefined ? undefined : admit(next, request);
      });
    },
    checkpoint() {
      return paginator.checkpoint();
    },
    restore(checkpoint) {
      withResource(() => paginator.restore(checkpoint));
    },
  };
}

/** URL, params and JSON body, canonically ordered, hashed. */
export function requestKey(request: RequestSpec): string {
  let target: string;
  if (URL.canParse(request.url)) {
    const url = new URL(request.url);
    for (const [name, value] of Object.entries(request.params)) url.searchParams.set(name, value);
    url.searchParams.sort();
    url.hash = '';
    target = url.toString();
  } else {
    target = `${request.url}?${canonicalJson(request.params)}`;
  }
  const identity = `${target}\n${request.json === undefined ? '' : canonicalJson(request.json)}`;
  return createHash('sha256').update(identity).digest('base64url').slice(0, 22);
}

/**
 * Names two requests by what tells them apart (`page=2` vs `page=1`), or, when they are the same,
 * by what the paginator changed relative to the base request.
 */
function describePair(
  base: RequestSpec,
  a: RequestSpec,
  b: RequestSpec | undefined,
): [string, string | undefined] {
  if (b === undefined) return [describePosition(base, a), undefined];
  const differ = describePosition(b, a);
  if (!differ.startsWith('the first request')) return [differ, describePosition(a, b)];
  const same = describePosition(base, a);
  return [same, same];
}

/** What the paginator changed relative to the first request: `page=3`, `url=…`, `json.cursor="x"`. */
export function describePosition(base: RequestSpec, request: RequestSpec): string {
  const parts: string[] = [];
  if (request.url !== base.url) parts.push(`url=${shownUrl(request.url)}`);
  for (const [name, value] of Object.entries(request.params)) {
    if (base.params[name] !== value) parts.push(`${name}=${truncate(value, 100)}`);
  }
  const json = request.json ?? {};
  for (const [key, value] of Object.entries(json)) {
    if (canonicalJson(base.json?.[key]) !== canonicalJson(value)) {
      parts.push(`json.${key}=${truncate(canonicalJson(value), 100)}`);
    }
  }
  return parts.length > 0 ? parts.join('&') : `the first request (${shownUrl(request.url)})`;
}

/** Length plus first and last record: cheap, and equal for two pages only if the API repeats itself. */
function pageSignature(response: PageResponse): string | undefined {
  const records = response.records;
  if (records.length < 2) return undefined;
  return `${records.length}\n${JSON.stringify(records[0])}\n${JSON.stringify(records[records.length - 1])}`;
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

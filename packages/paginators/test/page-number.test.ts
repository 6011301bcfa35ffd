import { describe, expect, it } from 'vitest';
import { PageNumberPaginator, PaginatorConfigError, PaginatorResponseError } from '../src/index.js';
import { page, records, request } from './helpers.js';

/** Runs a paginator over canned responses and returns the page params it asked for. */
function walk(paginator: PageNumberPaginator, responses: ReturnType<typeof page>[]): (string | undefined)[] {
  const asked: (string | undefined)[] = [];
  let current: ReturnType<typeof request> | undefined = paginator.initRequest(request());
  for (const response of responses) {
    if (current === undefined) break;
    asked.push(current.params.page);
    current = paginator.nextRequest(current, response);
  }
  if (current !== undefined) asked.push(`${current.params.page} (not done)`);
  return asked;
}

describe('page_number', () => {
  it('starts at base_page 0 like dlt when no page size is set', () => {
    const paginator = new PageNumberPaginator();
    expect(paginator.initRequest(request())).toEqual({
      url: 'https://api.example.com/items',
      params: { page: '0' },
    });
  });

  it('starts at base_page 1 when limit is set, and at an explicit base_page or page otherwise', () => {
    expect(new PageNumberPaginator({ limit: 50 }).initRequest(request()).params).toEqual({
      page: '1',
      per_page: '50',
    });
    expect(new PageNumberPaginator({ limit: 50, base_page: 0 }).initRequest(request()).params.page).toBe('0');
    expect(new PageNumberPaginator({ base_page: 1, page: 3 }).initRequest(request()).params.page).toBe('3');
  });

  it('keeps the resource params and replaces only its own', () => {
    const paginator = new PageNumberPaginator({ page_param: 'p', limit: 10, limit_param: 'size' });
    const first = paginator.initRequest(request(undefined, { status: 'active', p: 'junk' }));
    expect(first.params).toEqual({ status: 'active', p: '1', size: '10' });
    const next = paginator.nextRequest(first, page({ records: records(10) }));
    expect(next?.params).toEqual({ status: 'active', p: '2', size: '10' });
    expect(first.params.p).toBe('1');
  });

  it('stops after an empty page, or walks past it when stop_after_empty_page is false', () => {
    expect(
      walk(new PageNumberPaginator({ base_page: 1 }), [page({ records: records(3) }), page({ records: [] })]),
    ).toEqual(['1', '2']);
    const keepGoing = new PageNumberPaginator({
      base_page: 1,
      stop_after_empty_page: false,
      maximum_page: 4,
    });
    expect(walk(keepGoing, [page({ records: [] }), page({ records: [] }), page({ records: [] })])).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('stops on a page shorter than limit', () => {
    const paginator = new PageNumberPaginator({ limit: 2 });
    expect(walk(paginator, [page({ records: records(2) }), page({ records: records(1) })])).toEqual([
      '1',
      '2',
    ]);
  });

  it('trusts has_more_path over a short page', () => {
    const paginator = new PageNumberPaginator({ limit: 5, has_more_path: 'page_context.has_more_page' });
    const responses = [
      page({ records: records(2), body: { page_context: { has_more_page: true } } }),
      page({ records: records(5), body: { page_context: { has_more_page: 'false' } } }),
    ];
    expect(walk(paginator, responses)).toEqual(['1', '2']);
  });

  it('stops when total_path says the next page is past the last one', () => {
    const paginator = new PageNumberPaginator({ base_page: 1, total_path: 'meta.total_pages' });
    const body = { meta: { total_pages: 3 } };
    const responses = [1, 2, 3].map(() => page({ records: records(1), body }));
    expect(walk(paginator, responses)).toEqual(['1', '2', '3']);
    const zeroBased = new PageNumberPaginator({ total_path: 'total' });
    expect(
      walk(
        zeroBased,
        [0, 1].map(() => page({ records: records(1), body: { total: '2' } })),
      ),
    ).toEqual(['0', '1']);
  });

  it('never requests maximum_page itself (exclusive, as in dlt)', () => {
    const paginator = new PageNumberPaginator({ base_page: 1, maximum_page: 3 });
    expect(
      walk(
        paginator,
        [1, 2, 3, 4].map(() => page({ records: records(4) })),
      ),
    ).toEqual(['1', '2']);
  });

  it('puts the page and the limit in the JSON body when asked', () => {
    const paginator = new PageNumberPaginator({
      page_body_path: 'paging.page',
      limit: 20,
      limit_body_path: 'paging.size',
    });
    const first = paginator.initRequest({
      url: 'https://api.example.com/search',
      params: {},
      json: { query: 'x' },
    });
    expect(first.json).toEqual({ query: 'x', paging: { page: 1, size: 20 } });
    const next = paginator.nextRequest(first, page({ records: records(20) }));
    expect(next?.json).toEqual({ query: 'x', paging: { page: 2, size: 20 } });
    expect(first.json).toEqual({ query: 'x', paging: { page: 1, size: 20 } });
  });

  it('fails clearly when total_path or has_more_path is missing or malformed', () => {
    const total = new PageNumberPaginator({ total_path: 'total_pages' });
    const first = total.initRequest(request());
    expect(() => total.nextRequest(first, page({ records: records(1), body: {} }))).toThrow(
      new PaginatorResponseError(
        'total_path "total_pages" is missing from the response; expected a non-negative integer',
        'https://api.example.com/items',
      ),
    );
    const more = new PageNumberPaginator({ has_more_path: 'has_more' });
    expect(() =>
      more.nextRequest(
        more.initRequest(request()),
        page({ records: records(1), body: { has_more: 'maybe' } }),
      ),
    ).toThrow(/has_more_path "has_more" holds "maybe"; expected a boolean/);
  });

  it('rejects contradictory options', () => {
    expect(() => new PageNumberPaginator({ page_param: 'page', page_body_path: 'page' })).toThrow(
      PaginatorConfigError,
    );
    expect(() => new PageNumberPaginator({ limit_param: 'per_page' })).toThrow(
      /paginator.limit_param: "limit_param" needs "limit" to be set/,
    );
    expect(() => new PageNumberPaginator({ base_page: 1, page: 0 })).toThrow(
      /paginator.page: must be at least base_page \(1\)/,
    );
    expect(() => new PageNumberPaginator({ base_page: 1, maximum_page: 1 })).toThrow(
      /paginator.maximum_page: must be greater than the first page/,
    );
    expect(() => new PageNumberPaginator({ stop_after_empty_page: false })).toThrow(/it never stops/);
  });
});

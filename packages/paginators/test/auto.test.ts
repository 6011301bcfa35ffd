import { describe, expect, it } from 'vitest';
import { AutoPaginator, createPaginator, detectPaginator, PaginationLoopError } from '../src/index.js';
import { page, records, request } from './helpers.js';

describe('detectPaginator', () => {
  it.each([
    [
      'a Link header',
      page({ headers: { link: '<https://x.test/?page=2>; rel="next"' } }),
      { type: 'header_link' },
    ],
    [
      'a Link header on the last page',
      page({ headers: { link: '<https://x.test/?page=1>; rel="first"' } }),
      { type: 'header_link' },
    ],
    [
      'body next URL',
      page({ body: { results: [], next: 'https://x.test/?page=2' } }),
      { type: 'json_link', next_url_path: 'next' },
    ],
    [
      'body next null (last page)',
      page({ body: { count: 1, next: null, results: [] } }),
      { type: 'json_link', next_url_path: 'next' },
    ],
    [
      'body next_url',
      page({ body: { next_url: '/items?after=3' } }),
      { type: 'json_link', next_url_path: 'next_url' },
    ],
    [
      'links.next',
      page({ body: { data: [], links: { next: 'https://x.test/2' } } }),
      { type: 'json_link', next_url_path: 'links.next' },
    ],
    [
      '_links.next.href',
      page({ body: { _links: { next: { href: '/items?page=2' } } } }),
      { type: 'json_link', next_url_path: '_links.next.href' },
    ],
    [
      '@odata.nextLink',
      page({ body: { value: [], '@odata.nextLink': 'https://x.test/2' } }),
      { type: 'json_link', next_url_path: "['@odata.nextLink']" },
    ],
    [
      'meta.next_page',
      page({ body: { meta: { current_page: 1, next_page: 2 } } }),
      { type: 'cursor', cursor_path: 'meta.next_page', cursor_param: 'page' },
    ],
    [
      'meta.next_page null',
      page({ body: { meta: { next_page: null } } }),
      { type: 'cursor', cursor_path: 'meta.next_page', cursor_param: 'page' },
    ],
    [
      'next_cursor',
      page({ body: { data: [], next_cursor: 'abc' } }),
      { type: 'cursor', cursor_path: 'next_cursor', cursor_param: 'cursor' },
    ],
    [
      'Slack response_metadata',
      page({ body: { response_metadata: { next_cursor: 'dXNlcjpVMEc5' } } }),
      { type: 'cursor', cursor_path: 'response_metadata.next_cursor', cursor_param: 'cursor' },
    ],
    [
      'nextPageToken',
      page({ body: { items: [], nextPageToken: 't1' } }),
      { type: 'cursor', cursor_path: 'nextPageToken', cursor_param: 'pageToken' },
    ],
    [
      'page_context.has_more_page',
      page({ body: { page_context: { page: 1, has_more_page: true } } }),
      { type: 'page_number', has_more_path: 'page_context.has_more_page', base_page: 1, page: 1 },
    ],
    [
      'has_more without a page echo',
      page({ body: { data: [], has_more: true } }),
      { type: 'page_number', has_more_path: 'has_more', base_page: 1, page: 1 },
    ],
    ['nothing', page({ body: { data: [] } }), { type: 'single_page' }],
    ['an array body', page({ body: [1, 2] }), { type: 'single_page' }],
  ])('%s', (_name, response, config) => {
    expect(detectPaginator(response).config).toEqual(config);
  });
});

describe('auto', () => {
  it('logs its choice and handles the first response with the chosen strategy', () => {
    const log: string[] = [];
    const paginator = createPaginator(undefined, { resource: 'coupons', log: (m) => log.push(m) });
    expect(paginator.type).toBe('auto');
    const first = paginator.initRequest(request('https://api.example.com/v1/coupons'));
    expect(first.params).toEqual({});
    const body = { coupons: records(3), meta: { current_page: 1, next_page: 2 } };
    const second = paginator.nextRequest(first, page({ body, records: body.coupons }));
    expect(second?.params).toEqual({ page: '2' });
    expect(log).toEqual([
      'resource "coupons": paginator "auto" chose {"type":"cursor","cursor_path":"meta.next_page","cursor_param":"page"}: body field "meta.next_page" holds the next cursor, sent back as "page"',
    ]);
    const last = { coupons: records(1, 4), meta: { current_page: 2, next_page: null } };
    expect(paginator.nextRequest(second!, page({ body: last, records: last.coupons }))).toBeUndefined();
    expect(log).toHaveLength(1);
  });

  it('continues a Zoho-style body from the echoed page', () => {
    const paginator = new AutoPaginator();
    const body = { products: records(2), page_context: { page: 1, per_page: 200, has_more_page: true } };
    expect(paginator.nextRequest(request(), page({ body, records: body.products }))?.params).toEqual({
      page: '2',
    });
    const last = { products: records(2, 3), page_context: { page: 2, has_more_page: false } };
    expect(paginator.nextRequest(request(), page({ body: last, records: last.products }))).toBeUndefined();
  });

  it('detects single_page and stops after the first response', () => {
    const paginator = createPaginator('auto', { resource: 'taxes' });
    expect(
      paginator.nextRequest(paginator.initRequest(request()), page({ body: { taxes: [] } })),
    ).toBeUndefined();
  });

  it('a wrong guess ends in a loop error, not an endless run', () => {
    // has_more without a page param the API understands: every page is the same.
    const paginator = createPaginator('auto', { resource: 'events' });
    const body = { data: records(3), has_more: true };
    const first = paginator.initRequest(request());
    const second = paginator.nextRequest(first, page({ body, records: body.data }));
    expect(() => paginator.nextRequest(second!, page({ body, records: body.data }))).toThrow(
      PaginationLoopError,
    );
  });
});

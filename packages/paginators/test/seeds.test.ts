import { describe, expect, it } from 'vitest';
import { createPaginator, selectRecords } from '../src/index.js';
import { page, records, request } from './helpers.js';

// The paginator blocks of the two seed configs, verbatim.
const billingPaginator = {
  type: 'page_number',
  page_param: 'page',
  limit_param: 'per_page',
  limit: 200,
} as const;
const analyticsPaginator = {
  type: 'cursor',
  limit: 100,
  cursor_param: 'page',
  cursor_path: 'response.meta.next_page',
} as const;

describe('billing seed (page_number, page + per_page)', () => {
  it('asks for page=1&per_page=200 first, then page=2, and stops on a short page', () => {
    const log: string[] = [];
    const paginator = createPaginator(billingPaginator, { resource: 'invoices', log: (m) => log.push(m) });
    const first = paginator.initRequest(request('https://api.example.com/invoices'));
    expect(first).toEqual({
      url: 'https://api.example.com/invoices',
      params: { page: '1', per_page: '200' },
    });

    const body1 = {
      code: 0,
      message: 'success',
      invoices: records(200),
      page_context: { page: 1, per_page: 200, has_more_page: true },
    };
    const second = paginator.nextRequest(
      first,
      page({
        url: 'https://api.example.com/invoices?page=1&per_page=200',
        body: body1,
        records: selectRecords(body1, 'invoices'),
      }),
    );
    expect(second).toEqual({
      url: 'https://api.example.com/invoices',
      params: { page: '2', per_page: '200' },
    });

    const body2 = {
      code: 0,
      invoices: records(17, 201),
      page_context: { page: 2, per_page: 200, has_more_page: false },
    };
    expect(
      paginator.nextRequest(second!, page({ body: body2, records: selectRecords(body2, 'invoices') })),
    ).toBeUndefined();
    expect(log).toEqual([
      'resource "invoices": paginator "page_number": base_page not set, starting at page 1 (the default when "limit" is set)',
    ]);
  });

  it('stops on an empty page after a full last page', () => {
    const paginator = createPaginator(billingPaginator, { resource: 'plans' });
    const first = paginator.initRequest(request());
    const second = paginator.nextRequest(first, page({ records: records(200) }));
    expect(second?.params.page).toBe('2');
    expect(paginator.nextRequest(second!, page({ records: [] }))).toBeUndefined();
  });
});

describe('analytics seed (cursor on response.meta.next_page)', () => {
  it('asks for per_page=100 first, then page=<meta.next_page>, and stops when next_page is null', () => {
    const log: string[] = [];
    const paginator = createPaginator(analyticsPaginator, { resource: 'metrics', log: (m) => log.push(m) });
    const first = paginator.initRequest(request('https://api.example.com/v1/metrics'));
    expect(first).toEqual({ url: 'https://api.example.com/v1/metrics', params: { per_page: '100' } });

    const body1 = {
      metrics: records(100),
      meta: { current_page: 1, next_page: 2, prev_page: null, total_pages: 3, total_count: 250 },
    };
    const second = paginator.nextRequest(
      first,
      page({ body: body1, records: selectRecords(body1, 'metrics') }),
    );
    expect(second).toEqual({
      url: 'https://api.example.com/v1/metrics',
      params: { per_page: '100', page: '2' },
    });

    const body3 = {
      metrics: records(50, 201),
      meta: { current_page: 3, next_page: null, prev_page: 2, total_pages: 3, total_count: 250 },
    };
    expect(paginator.nextRequest(second!, page({ body: body3, records: records(50, 201) }))).toBeUndefined();
    expect(log).toEqual([
      'resource "metrics": paginator "cursor": limit_param not set, sending the page size as "per_page"',
    ]);
  });

  it('ends after one request on an empty list (current_page 0, next_page null)', () => {
    const paginator = createPaginator(analyticsPaginator, { resource: 'wallets' });
    const first = paginator.initRequest(request());
    const body = {
      wallets: [],
      meta: { current_page: 0, next_page: null, prev_page: null, total_pages: 0, total_count: 0 },
    };
    expect(
      paginator.nextRequest(first, page({ body, records: selectRecords(body, 'wallets') })),
    ).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import {
  createPaginator,
  guardPaginator,
  PaginationLoopError,
  type Paginator,
  PaginatorError,
  type RequestSpec,
} from '../src/index.js';
import { page, records, request } from './helpers.js';

/** A broken custom paginator that always asks for the same page. */
const stuck: Paginator = {
  type: 'stuck',
  initRequest: (r) => ({ ...r, params: { ...r.params, page: '1' } }),
  nextRequest: (r) => ({ ...r, params: { ...r.params, page: '1' } }),
  checkpoint: () => ({}),
  restore: () => {},
};

function caught(run: () => unknown): PaginationLoopError {
  try {
    run();
  } catch (error) {
    if (error instanceof PaginationLoopError) return error;
    throw error;
  }
  throw new Error('expected a PaginationLoopError');
}

describe('loop guard', () => {
  it('stops a paginator that asks for the same page twice, naming resource and page', () => {
    const paginator = createPaginator(stuck, { resource: 'invoices' });
    const first = paginator.initRequest(request());
    const error = caught(() => paginator.nextRequest(first, page({ records: records(1) })));
    expect(error.message).toBe(
      'resource "invoices": the paginator asked twice for the same page (page=1) right after page=1; stopping instead of looping forever',
    );
    expect(error.code).toBe('PAGINATION_LOOP');
    expect(error.resource).toBe('invoices');
    expect(error.position).toBe('page=1');
    expect(PaginatorError.isInstance(error)).toBe(true);
  });

  it('stops a cursor that comes back to a value already used', () => {
    const paginator = createPaginator({ type: 'cursor', cursor_path: 'next' }, { resource: 'fees' });
    const first = paginator.initRequest(request());
    const a = paginator.nextRequest(first, page({ body: { next: 'A' } }));
    const b = paginator.nextRequest(a!, page({ body: { next: 'B' } }));
    const error = caught(() => paginator.nextRequest(b!, page({ body: { next: 'A' } })));
    expect(error.message).toContain(
      'resource "fees": the paginator asked twice for the same page (cursor=A) right after cursor=B',
    );
  });

  it('stops a cursor the API repeats immediately', () => {
    const paginator = createPaginator({ type: 'cursor', cursor_path: 'next' }, { resource: 'fees' });
    const a = paginator.nextRequest(paginator.initRequest(request()), page({ body: { next: 'A' } }));
    expect(() => paginator.nextRequest(a!, page({ body: { next: 'A' } }))).toThrow(/same page \(cursor=A\)/);
  });

  it('stops a next URL that points back to a page already read', () => {
    const paginator = createPaginator({ type: 'json_link' }, { resource: 'plans' });
    const first = paginator.initRequest(request('https://api.example.com/plans'));
    const second = paginator.nextRequest(
      first,
      page({ body: { next: 'https://api.example.com/plans?page=2' } }),
    );
    const error = caught(() => paginator.nextRequest(second!, page({ body: { next: '/plans?page=2' } })));
    expect(error.position).toBe('url=https://api.example.com/plans?page=2');
  });

  it('treats the same params in another order as the same request', () => {
    const flip: Paginator = {
      ...stuck,
      initRequest: (r) => ({ ...r, params: { a: '1', b: '2' } }),
      nextRequest: (r) => ({ ...r, params: { b: '2', a: '1' } }),
    };
    const paginator = guardPaginator(flip, { resource: 'r' });
    expect(() => paginator.nextRequest(paginator.initRequest(request()), page({}))).toThrow(
      PaginationLoopError,
    );
  });

  it('does not flag different JSON bodies on the same URL', () => {
    const paginator = createPaginator(
      { type: 'cursor', cursor_path: 'next', cursor_body_path: 'after' },
      { resource: 'search' },
    );
    const first = paginator.initRequest({ url: 'https://x.test/search', params: {}, json: { q: 'a' } });
    const second = paginator.nextRequest(first, page({ body: { next: 'c1' } }));
    const third = paginator.nextRequest(second!, page({ body: { next: 'c2' } }));
    expect(third?.json).toEqual({ q: 'a', after: 'c2' });
    expect(() => paginator.nextRequest(third!, page({ body: { next: 'c1' } }))).toThrow(/json\.after="c1"/);
  });

  it('stops a paginator that would go to maximum_page, e.g. from a restored checkpoint', () => {
    const paginator = createPaginator(
      { type: 'page_number', base_page: 1, maximum_page: 5 },
      { resource: 'addons' },
    );
    paginator.restore({ page: 7 });
    const error = caught(() => paginator.initRequest(request()));
    expect(error.message).toBe(
      'resource "addons": the paginator asked for page=7, but maximum_page is 5 (pages from maximum_page on are never requested)',
    );
  });

  it('stops a custom paginator running past a bound given to the guard', () => {
    let n = 0;
    const counting: Paginator = {
      ...stuck,
      initRequest: (r) => ({ ...r, params: { page: String(n) } }),
      nextRequest: (r) => ({ ...r, params: { page: String(++n) } }),
    };
    const paginator = guardPaginator(counting, {
      resource: 'r',
      bound: { option: 'maximum_page', maximum: 2, target: { kind: 'param', name: 'page' } },
    });
    let current: RequestSpec | undefined = paginator.initRequest(request());
    current = paginator.nextRequest(current, page({ records: records(1, 1) }));
    expect(current?.params.page).toBe('1');
    expect(() => paginator.nextRequest(current!, page({ records: records(1, 2) }))).toThrow(
      /page=2, but maximum_page is 2/,
    );
  });

  it('stops when the API ignores the page param and serves the same records again', () => {
    const paginator = createPaginator(
      { type: 'page_number', page_param: 'pg', limit: 3 },
      { resource: 'customers' },
    );
    const first = paginator.initRequest(request());
    const same = records(3);
    const second = paginator.nextRequest(first, page({ records: same }));
    const error = caught(() => paginator.nextRequest(second!, page({ records: [...same] })));
    expect(error.message).toBe(
      `resource "customers": pg=2 returned the same 3 records as pg=1; the API probably ignores the paginator's parameter (check the paginator config), stopping instead of looping forever`,
    );
  });

  it('lets a long honest run through', () => {
    const paginator = createPaginator({ type: 'page_number', limit: 2 }, { resource: 'big' });
    let current: RequestSpec | undefined = paginator.initRequest(request());
    let pages = 0;
    while (current !== undefined && pages < 5000) {
      pages += 1;
      current = paginator.nextRequest(current, page({ records: records(2, pages * 2) }));
    }
    expect(pages).toBe(5000);
    expect(current?.params.page).toBe('5001');
  });

  it('adds the resource to errors the strategy throws', () => {
    const paginator = createPaginator({ type: 'page_number', has_more_path: 'more' }, { resource: 'subs' });
    expect(() =>
      paginator.nextRequest(paginator.initRequest(request()), page({ records: records(1) })),
    ).toThrow(/^resource "subs": has_more_path "more" is missing from the response; expected a boolean/);
  });

  it('starts afresh on initRequest, so a paginator can be restored and re-run', () => {
    const paginator = createPaginator({ type: 'page_number', base_page: 1 }, { resource: 'r' });
    const first = paginator.initRequest(request());
    paginator.nextRequest(first, page({ records: records(1) }));
    paginator.restore({ page: 1 });
    expect(paginator.initRequest(request()).params.page).toBe('1');
  });
});

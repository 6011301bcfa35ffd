import { describe, expect, it } from 'vitest';
import {
  AutoPaginator,
  createPaginator,
  OffsetPaginator,
  PageNumberPaginator,
  type Paginator,
  type RequestSpec,
} from '../src/index.js';
import { page, records, request } from './helpers.js';

/** Walks to the `n`-th request (1-based) over full pages, then asks what follows it. */
function predictAfter(
  paginator: Paginator,
  n: number,
  response: ReturnType<typeof page>,
  count: number,
  param: string,
): { next: RequestSpec; ahead: (string | undefined)[] } {
  let next = paginator.initRequest(request());
  for (let i = 1; i < n; i++) {
    const following = paginator.nextRequest(next, response);
    if (following === undefined) throw new Error(`the walk ended after request ${i}`);
    next = following;
  }
  const ahead = paginator.requestsAfter?.(next, response, count) ?? [];
  return { next, ahead: ahead.map((r) => r.params[param]) };
}

describe('requestsAfter (pages ahead)', () => {
  it('page_number predicts the next pages, with the resource params and page size', () => {
    const paginator = new PageNumberPaginator({ limit: 2 });
    const first = paginator.initRequest(request(undefined, { status: 'open' }));
    const next = paginator.nextRequest(first, page({ records: records(2) })) as RequestSpec;
    expect(next.params.page).toBe('2');
    expect(paginator.requestsAfter(next, page({ records: records(2) }), 3)).toEqual([
      { url: 'https://api.example.com/items', params: { status: 'open', page: '3', per_page: '2' } },
      { url: 'https://api.example.com/items', params: { status: 'open', page: '4', per_page: '2' } },
      { url: 'https://api.example.com/items', params: { status: 'open', page: '5', per_page: '2' } },
    ]);
  });

  it('is pure: predicting changes neither the checkpoint nor the next request', () => {
    const paginator = new PageNumberPaginator({ limit: 2 });
    const full = page({ records: records(2) });
    const next = paginator.nextRequest(paginator.initRequest(request()), full) as RequestSpec;
    const before = paginator.checkpoint();
    paginator.requestsAfter(next, full, 5);
    expect(paginator.checkpoint()).toEqual(before);
    expect(paginator.nextRequest(next, full)?.params.page).toBe('3');
  });

  it('page_number stops short of the last page total_path gives, and of maximum_page', () => {
    const total = page({ records: records(2), body: { total_pages: 5 } });
    const byTotal = new PageNumberPaginator({ base_page: 1, total_path: 'total_pages' });
    expect(predictAfter(byTotal, 2, total, 10, 'page').ahead).toEqual(['3', '4', '5']);
    const byMaximum = new PageNumberPaginator({ base_page: 1, maximum_page: 4 });
    expect(predictAfter(byMaximum, 2, page({ records: records(2) }), 10, 'page').ahead).toEqual(['3']);
  });

  it('page_number with has_more_path predicts while the API says there is more', () => {
    const more = page({ records: records(2), body: { more: true } });
    const paginator = new PageNumberPaginator({ base_page: 1, has_more_path: 'more' });
    expect(predictAfter(paginator, 2, more, 2, 'page')).toMatchObject({ ahead: ['3', '4'] });
  });

  it('offset predicts offsets a page size apart, short of total_path and maximum_offset', () => {
    const full = page({ records: records(10), body: { total: 45 } });
    const byTotal = new OffsetPaginator({ limit: 10, total_path: 'total' });
    expect(predictAfter(byTotal, 2, full, 5, 'offset').ahead).toEqual(['20', '30', '40']);
    const byMaximum = new OffsetPaginator({ limit: 10, maximum_offset: 35 });
    expect(predictAfter(byMaximum, 2, page({ records: records(10) }), 5, 'offset').ahead).toEqual([
      '20',
      '30',
    ]);
    const open = new OffsetPaginator({ limit: 10 });
    expect(predictAfter(open, 2, page({ records: records(10) }), 2, 'offset').ahead).toEqual(['20', '30']);
  });

  it('auto predicts once it has detected page numbers; cursors and links predict nothing', () => {
    const auto = new AutoPaginator({
      detect: () => ({ config: { type: 'page_number', base_page: 1, limit: 2 }, reason: 'test' }),
    });
    expect(auto.requestsAfter(request(), page({}), 2)).toEqual([]);
    const next = auto.nextRequest(auto.initRequest(request()), page({ records: records(2) })) as RequestSpec;
    expect(auto.requestsAfter(next, page({ records: records(2) }), 2).map((r) => r.params.page)).toEqual([
      '3',
      '4',
    ]);
    for (const config of [
      { type: 'cursor', cursor_path: 'next', cursor_param: 'after' },
      { type: 'json_link', next_url_path: 'next' },
      { type: 'header_link' },
      { type: 'single_page' },
    ] as const) {
      expect(createPaginator(config, { resource: 'r' }).requestsAfter, config.type).toBeUndefined();
    }
  });

  it('the loop guard keeps it, and drops predictions at the bound or already asked for', () => {
    const guarded = createPaginator(
      { type: 'page_number', base_page: 1, maximum_page: 5 },
      { resource: 'items' },
    );
    expect(predictAfter(guarded, 2, page({ records: records(2) }), 10, 'page').ahead).toEqual(['3', '4']);

    // A custom strategy predicting a page already asked for, or past the bound: cut there.
    let current = 1;
    let predicted = [1, 3, 7];
    const custom: Paginator & { bound: unknown } = {
      type: 'custom',
      bound: {
        option: 'maximum_page',
        target: { kind: 'param', name: 'page' },
        maximum: 6,
      },
      initRequest: (r) => ({ ...r, params: { page: String(current) } }),
      nextRequest: (r) => ({ ...r, params: { page: String(++current) } }),
      requestsAfter: (r) => predicted.map((n) => ({ ...r, params: { page: String(n) } })),
      checkpoint: () => ({ current }),
      restore: () => {},
    };
    const guard = createPaginator(custom, { resource: 'items' });
    const next = guard.nextRequest(
      guard.initRequest(request()),
      page({ records: records(2) }),
    ) as RequestSpec;
    expect(guard.requestsAfter?.(next, page({}), 5)).toEqual([]);
    predicted = [3, 4, 6, 5];
    expect(guard.requestsAfter?.(next, page({}), 5).map((r) => r.params.page)).toEqual(['3', '4']);
    expect(guard.requestsAfter?.(next, page({}), 1).map((r) => r.params.page)).toEqual(['3']);
  });
});

import { describe, expect, it } from 'vitest';
import { OffsetPaginator, PaginatorConfigError } from '../src/index.js';
import { page, records, request } from './helpers.js';

function offsets(paginator: OffsetPaginator, responses: ReturnType<typeof page>[]): string[] {
  const asked: string[] = [];
  let current: ReturnType<typeof request> | undefined = paginator.initRequest(request());
  for (const response of responses) {
    if (current === undefined) break;
    asked.push(`${current.params.offset}/${current.params.limit}`);
    current = paginator.nextRequest(current, response);
  }
  if (current !== undefined) asked.push('not done');
  return asked;
}

describe('offset', () => {
  it('requires limit', () => {
    expect(() => new OffsetPaginator({} as never)).toThrow(
      'invalid paginator config: paginator.limit: required: the number of records per page',
    );
  });

  it('steps by limit from offset, with dlt param names', () => {
    const paginator = new OffsetPaginator({ limit: 2, offset: 4 });
    expect(
      offsets(paginator, [
        page({ records: records(2) }),
        page({ records: records(2) }),
        page({ records: [] }),
      ]),
    ).toEqual(['4/2', '6/2', '8/2']);
  });

  it('stops on a short page', () => {
    expect(
      offsets(new OffsetPaginator({ limit: 3 }), [
        page({ records: records(3) }),
        page({ records: records(1) }),
      ]),
    ).toEqual(['0/3', '3/3']);
  });

  it('stops when total_path (records) is reached', () => {
    const body = { total: 5 };
    const responses = [0, 1, 2, 3].map(() => page({ records: records(2), body }));
    expect(offsets(new OffsetPaginator({ limit: 2, total_path: 'total' }), responses)).toEqual([
      '0/2',
      '2/2',
      '4/2',
    ]);
  });

  it('stops when has_more_path is false, even on a full page', () => {
    const responses = [
      page({ records: records(2), body: { has_more: true } }),
      page({ records: records(2), body: { has_more: false } }),
    ];
    expect(offsets(new OffsetPaginator({ limit: 2, has_more_path: 'has_more' }), responses)).toEqual([
      '0/2',
      '2/2',
    ]);
  });

  it('never requests maximum_offset or beyond', () => {
    const responses = [0, 1, 2, 3].map(() => page({ records: records(10) }));
    expect(offsets(new OffsetPaginator({ limit: 10, maximum_offset: 30 }), responses)).toEqual([
      '0/10',
      '10/10',
      '20/10',
    ]);
  });

  it('walks past empty pages when stop_after_empty_page is false and total_path says so', () => {
    const body = { total: 6 };
    const responses = [page({ records: [], body }), page({ records: [], body }), page({ records: [], body })];
    const paginator = new OffsetPaginator({ limit: 2, total_path: 'total', stop_after_empty_page: false });
    expect(offsets(paginator, responses)).toEqual(['0/2', '2/2', '4/2']);
  });

  it('uses custom params and body paths', () => {
    const paginator = new OffsetPaginator({ limit: 5, offset_param: 'skip', limit_body_path: 'take' });
    const first = paginator.initRequest(request());
    expect(first).toEqual({ url: 'https://api.example.com/items', params: { skip: '0' }, json: { take: 5 } });
    expect(() => new OffsetPaginator({ limit: 5, offset_param: 'skip', offset_body_path: 'skip' })).toThrow(
      PaginatorConfigError,
    );
    expect(() => new OffsetPaginator({ limit: 5, maximum_offset: 0 } as never)).toThrow(/maximum_offset/);
  });
});

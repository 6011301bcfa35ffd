import { describe, expect, it } from 'vitest';
import { CheckpointError, createPaginator, type PaginatorConfig, type RequestSpec } from '../src/index.js';
import { page, records, request } from './helpers.js';

/** One step of a canned walk: the response each strategy sees. */
const responses: Record<string, (n: number) => ReturnType<typeof page>> = {
  page_number: (n) => page({ records: records(2, n * 10) }),
  offset: (n) => page({ records: records(2, n * 10) }),
  cursor: (n) => page({ body: { next: `c${n}` } }),
  json_link: (n) => page({ body: { next: `https://api.example.com/items?after=${n}` } }),
  header_link: (n) => page({ headers: { link: `<https://api.example.com/items?after=${n}>; rel="next"` } }),
  header_cursor: (n) => page({ headers: { next: `h${n}` } }),
  auto: (n) => page({ body: { meta: { next_page: n + 1 } } }),
};

const configs: Record<string, PaginatorConfig> = {
  page_number: { type: 'page_number', limit: 2 },
  offset: { type: 'offset', limit: 2 },
  cursor: { type: 'cursor', cursor_path: 'next' },
  json_link: { type: 'json_link' },
  header_link: { type: 'header_link' },
  header_cursor: { type: 'header_cursor' },
  auto: { type: 'auto' },
};

describe('checkpoint / restore', () => {
  it.each(Object.keys(configs))('%s resumes at the request after the last checkpoint, via JSON', (name) => {
    const config = configs[name] as PaginatorConfig;
    const respond = responses[name] as (n: number) => ReturnType<typeof page>;
    const original = createPaginator(config, { resource: name });
    let current: RequestSpec | undefined = original.initRequest(request());
    for (let n = 1; n <= 2; n += 1) current = original.nextRequest(current!, respond(n));
    const saved = JSON.parse(JSON.stringify(original.checkpoint())) as unknown;

    const resumed = createPaginator(config, { resource: name });
    resumed.restore(saved);
    const first = resumed.initRequest(request());
    expect(first).toEqual(current);
    expect(resumed.nextRequest(first, respond(3))).toEqual(original.nextRequest(current!, respond(3)));
  });

  it('single_page has an empty checkpoint', () => {
    const paginator = createPaginator('single_page', { resource: 'r' });
    expect(paginator.checkpoint()).toEqual({});
    paginator.restore({});
    expect(paginator.initRequest(request())).toEqual(request());
  });

  it('a checkpoint from before the first response restarts from the beginning', () => {
    const cursor = createPaginator({ type: 'cursor', cursor_path: 'next' }, { resource: 'r' });
    expect(cursor.checkpoint()).toEqual({ cursor: null });
    const auto = createPaginator('auto', { resource: 'r' });
    expect(auto.checkpoint()).toEqual({ detected: null, state: null });
    auto.restore({ detected: null, state: null });
    expect(auto.initRequest(request())).toEqual(request());
  });

  it.each([
    [
      { type: 'page_number' } as const,
      { offset: 3 },
      'cannot restore a page_number paginator from {"offset":3}; expected { "page": <non-negative integer> }',
    ],
    [
      { type: 'offset', limit: 5 } as const,
      { offset: -1 },
      'cannot restore a offset paginator from {"offset":-1}; expected { "offset": <non-negative integer> }',
    ],
    [
      { type: 'cursor' } as const,
      { cursor: { a: 1 } },
      'cannot restore a cursor paginator from {"cursor":{"a":1}}; expected { "cursor": <string, number or null> }',
    ],
    [
      { type: 'json_link' } as const,
      { next_url: 'not a url' },
      'cannot restore a json_link paginator from {"next_url":"not a url"}; expected { "next_url": <absolute URL or null> }',
    ],
    [
      { type: 'auto' } as const,
      null,
      'cannot restore a auto paginator from null; expected { "detected": <paginator config or null>, "state": ... }',
    ],
  ])('rejects a checkpoint of the wrong shape (%j)', (config, checkpoint, message) => {
    const paginator = createPaginator(config as PaginatorConfig, { resource: 'res' });
    expect(() => paginator.restore(checkpoint)).toThrow(CheckpointError);
    expect(() => paginator.restore(checkpoint)).toThrow(`resource "res": ${message}`);
  });
});

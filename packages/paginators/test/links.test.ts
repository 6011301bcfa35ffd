import { describe, expect, it } from 'vitest';
import {
  findLink,
  HeaderCursorPaginator,
  HeaderLinkPaginator,
  JsonLinkPaginator,
  PaginatorResponseError,
  parseLinkHeader,
} from '../src/index.js';
import { page, request } from './helpers.js';

describe('parseLinkHeader (RFC 8288)', () => {
  it('reads several links with quoted and bare params', () => {
    const header =
      '<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel=last; title="Last page"';
    expect(parseLinkHeader(header)).toEqual([
      { target: 'https://api.example.com/items?page=2', rel: ['next'], params: { rel: 'next' } },
      {
        target: 'https://api.example.com/items?page=9',
        rel: ['last'],
        params: { rel: 'last', title: 'Last page' },
      },
    ]);
  });

  it('keeps commas and semicolons inside <...> and quoted values', () => {
    const header = '<https://x.test/a?ids=1,2;3>; title="a, b; c"; rel="next", <https://x.test/p>; rel=prev';
    const links = parseLinkHeader(header);
    expect(links.map((link) => link.target)).toEqual(['https://x.test/a?ids=1,2;3', 'https://x.test/p']);
    expect(links[0]?.params.title).toBe('a, b; c');
  });

  it('reads multiple relation types, any case, and escaped quotes', () => {
    const [link] = parseLinkHeader('<https://x.test/2>; REL="Next Last"; title="say \\"hi\\""');
    expect(link?.rel).toEqual(['next', 'last']);
    expect(link?.params.title).toBe('say "hi"');
  });

  it('skips malformed links and keeps the good ones', () => {
    expect(
      parseLinkHeader('garbage, <https://x.test/2>; rel=next, <unclosed; rel=next').map((l) => l.target),
    ).toEqual(['https://x.test/2']);
    expect(parseLinkHeader('')).toEqual([]);
    expect(parseLinkHeader(null)).toEqual([]);
  });

  it('keeps the first rel when a link repeats it', () => {
    expect(parseLinkHeader('<https://x.test/2>; rel=next; rel=prev')[0]?.rel).toEqual(['next']);
  });

  it('resolves relative targets against the response URL', () => {
    const base = 'https://api.example.com/v1/items?page=1';
    expect(findLink('</v1/items?page=2>; rel="next"', 'next', base)).toBe(
      'https://api.example.com/v1/items?page=2',
    );
    expect(findLink('<?page=2>; rel="next"', 'next', base)).toBe('https://api.example.com/v1/items?page=2');
    expect(findLink('<items?page=2>; rel="next"', 'next', base)).toBe(
      'https://api.example.com/v1/items?page=2',
    );
    expect(findLink('<https://x.test/1>; rel="prev"', 'next', base)).toBeUndefined();
  });
});

describe('header_link', () => {
  it('follows rel="next" with the URL query, dropping the previous params', () => {
    const paginator = new HeaderLinkPaginator();
    const first = paginator.initRequest(request('https://api.example.com/items', { per_page: '50' }));
    expect(first.params).toEqual({ per_page: '50' });
    const headers = {
      link: '<https://api.example.com/items?page=2&per_page=50>; rel="next", <https://api.example.com/items?page=5&per_page=50>; rel="last"',
    };
    expect(paginator.nextRequest(first, page({ headers }))).toEqual({
      url: 'https://api.example.com/items?page=2&per_page=50',
      params: {},
    });
  });

  it('stops without a next link, and honours links_next_key', () => {
    const paginator = new HeaderLinkPaginator();
    expect(
      paginator.nextRequest(request(), page({ headers: { link: '<https://x.test/1>; rel="prev"' } })),
    ).toBeUndefined();
    expect(paginator.nextRequest(request(), page({}))).toBeUndefined();
    const custom = new HeaderLinkPaginator({ links_next_key: 'forward' });
    expect(
      custom.nextRequest(request(), page({ headers: { link: '<https://x.test/2>; rel=forward' } }))?.url,
    ).toBe('https://x.test/2');
  });
});

describe('json_link', () => {
  it('follows next_url_path and resolves relative URLs against the response URL', () => {
    const paginator = new JsonLinkPaginator({ next_url_path: 'links.next' });
    const next = paginator.nextRequest(
      request('https://api.example.com/v2/items', { q: 'x' }),
      page({
        url: 'https://api.example.com/v2/items?q=x',
        body: { links: { next: '/v2/items?q=x&after=9' } },
      }),
    );
    expect(next).toEqual({ url: 'https://api.example.com/v2/items?q=x&after=9', params: {} });
  });

  it('keeps the JSON body for POST searches', () => {
    const paginator = new JsonLinkPaginator();
    const next = paginator.nextRequest(
      { url: 'https://x.test/search', params: {}, json: { q: 1 } },
      page({ body: { next: 'https://x.test/search?page=2' } }),
    );
    expect(next).toEqual({ url: 'https://x.test/search?page=2', params: {}, json: { q: 1 } });
  });

  it.each([[{ next: null }], [{}], [{ next: '' }]])(
    'stops when next is null, missing or empty (%j)',
    (body) => {
      expect(new JsonLinkPaginator().nextRequest(request(), page({ body }))).toBeUndefined();
    },
  );

  it('rejects a next value that is not a URL', () => {
    expect(() => new JsonLinkPaginator().nextRequest(request(), page({ body: { next: 42 } }))).toThrow(
      PaginatorResponseError,
    );
  });
});

describe('header_cursor', () => {
  it('sends the cursor header back as cursor_param until the header is gone', () => {
    const paginator = new HeaderCursorPaginator({ cursor_key: 'X-Next-Cursor', cursor_param: 'after' });
    const first = paginator.initRequest(request(undefined, { limit: '10' }));
    const next = paginator.nextRequest(first, page({ headers: { 'x-next-cursor': ' c-2 ' } }));
    expect(next?.params).toEqual({ limit: '10', after: 'c-2' });
    expect(paginator.nextRequest(next!, page({ headers: { 'x-next-cursor': '' } }))).toBeUndefined();
    expect(paginator.nextRequest(next!, page({}))).toBeUndefined();
  });

  it('defaults to the "next" header and the "cursor" param', () => {
    const next = new HeaderCursorPaginator().nextRequest(request(), page({ headers: { next: 'abc' } }));
    expect(next?.params).toEqual({ cursor: 'abc' });
  });
});

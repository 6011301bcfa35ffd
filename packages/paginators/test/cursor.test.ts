import { describe, expect, it } from 'vitest';
import { CursorPaginator, PaginatorResponseError } from '../src/index.js';
import { page, request } from './helpers.js';

describe('cursor', () => {
  it('uses dlt defaults: cursors.next sent back as cursor', () => {
    const paginator = new CursorPaginator();
    const first = paginator.initRequest(request());
    expect(first.params).toEqual({});
    const next = paginator.nextRequest(first, page({ body: { cursors: { next: 'abc' } } }));
    expect(next).toEqual({ url: 'https://api.example.com/items', params: { cursor: 'abc' } });
  });

  it.each([
    ['plain dotted', 'meta.next_page'],
    ['Airbyte style', 'response.meta.next_page'],
    ['Airbyte template', '{{ response.meta.next_page }}'],
    ['JSONPath', '$.meta.next_page'],
  ])('reads cursor_path written %s', (_name, cursorPath) => {
    const paginator = new CursorPaginator({ cursor_path: cursorPath, cursor_param: 'page' });
    const next = paginator.nextRequest(request(), page({ body: { meta: { next_page: 7 } } }));
    expect(next?.params).toEqual({ page: '7' });
  });

  it.each([
    ['null', { next: null }],
    ['missing', {}],
    ['an empty string', { next: '' }],
  ])('stops when the cursor is %s', (_name, body) => {
    const paginator = new CursorPaginator({ cursor_path: 'next' });
    expect(paginator.nextRequest(request(), page({ body }))).toBeUndefined();
  });

  it('rejects a cursor that is an object', () => {
    const paginator = new CursorPaginator({ cursor_path: 'next' });
    expect(() => paginator.nextRequest(request(), page({ body: { next: { id: 1 } } }))).toThrow(
      new PaginatorResponseError(
        'cursor_path "next" holds {"id":1}; expected a string or number',
        'https://api.example.com/items',
      ),
    );
  });

  it('puts the cursor in the JSON body with cursor_body_path, keeping the rest of the body', () => {
    const paginator = new CursorPaginator({ cursor_path: 'next', cursor_body_path: 'page.after', limit: 10 });
    const first = paginator.initRequest({
      url: 'https://api.example.com/q',
      params: {},
      json: { filter: 'x' },
    });
    expect(first.json).toEqual({ filter: 'x' });
    expect(first.params).toEqual({ limit: '10' });
    const next = paginator.nextRequest(first, page({ body: { next: 'c2' } }));
    expect(next?.json).toEqual({ filter: 'x', page: { after: 'c2' } });
  });

  it('sends the page size as limit_param, defaulting to per_page for page cursors and limit otherwise', () => {
    expect(new CursorPaginator({ limit: 25, limit_param: 'size' }).initRequest(request()).params).toEqual({
      size: '25',
    });
    expect(new CursorPaginator({ limit: 25, cursor_param: 'page' }).initRequest(request()).params).toEqual({
      per_page: '25',
    });
    expect(new CursorPaginator({ limit: 25 }).initRequest(request()).params).toEqual({ limit: '25' });
  });

  it('accepts the json_response_cursor alias through createPaginator', async () => {
    const { createPaginator } = await import('../src/index.js');
    const paginator = createPaginator(
      { type: 'json_response_cursor', cursor_path: 'next' },
      { resource: 'r' },
    );
    expect(
      paginator.nextRequest(paginator.initRequest(request()), page({ body: { next: 'n1' } }))?.params,
    ).toEqual({
      cursor: 'n1',
    });
  });
});

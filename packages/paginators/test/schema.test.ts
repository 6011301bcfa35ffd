import { describe, expect, it } from 'vitest';
import {
  createPaginator,
  PAGINATOR_TYPES,
  PaginatorConfigError,
  paginatorConfigSchema,
  paginatorSettingSchema,
} from '../src/index.js';

function issues(value: unknown): [string, string][] {
  const result = paginatorSettingSchema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
  return result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
}

const allowed =
  'auto, single_page, page_number, offset, cursor, json_response_cursor, json_link, header_link, header_cursor';

describe('paginatorConfigSchema', () => {
  it('accepts both seed paginators verbatim', () => {
    expect(
      paginatorConfigSchema.parse({
        type: 'page_number',
        page_param: 'page',
        limit_param: 'per_page',
        limit: 200,
      }),
    ).toEqual({
      type: 'page_number',
      page_param: 'page',
      limit_param: 'per_page',
      limit: 200,
    });
    expect(
      paginatorConfigSchema.safeParse({
        type: 'cursor',
        limit: 100,
        cursor_param: 'page',
        cursor_path: 'response.meta.next_page',
      }).success,
    ).toBe(true);
  });

  it('accepts every type in its minimal form', () => {
    for (const type of PAGINATOR_TYPES) {
      const config = type === 'offset' ? { type, limit: 10 } : { type };
      expect(paginatorConfigSchema.safeParse(config).success, type).toBe(true);
    }
  });

  it('rejects an unknown type, listing the allowed ones', () => {
    expect(issues({ type: 'pages' })).toEqual([
      ['type', `unknown paginator type "pages"; expected one of: ${allowed}`],
    ]);
    expect(issues({ page_param: 'page' })).toEqual([
      ['type', `missing paginator "type"; expected one of: ${allowed}`],
    ]);
    expect(issues('link_header')).toEqual([
      ['type', `unknown paginator type "link_header"; expected one of: ${allowed}`],
    ]);
  });

  it('rejects an unknown key, listing the allowed keys of that type', () => {
    expect(issues({ type: 'json_link', next_url: 'next' })).toEqual([
      ['', 'unknown key "next_url" for paginator type "json_link"; allowed keys: type, next_url_path'],
    ]);
  });

  it('rejects values of the wrong type at their key', () => {
    expect(issues({ type: 'page_number', limit: '200' })).toEqual([
      ['limit', 'Invalid input: expected number, received string'],
    ]);
    expect(issues({ type: 'offset', limit: 0 })).toEqual([['limit', 'Too small: expected number to be >0']]);
    expect(issues({ type: 'page_number', stop_after_empty_page: 'no' })).toEqual([
      ['stop_after_empty_page', 'Invalid input: expected boolean, received string'],
    ]);
    expect(issues(42)[0]?.[1]).toMatch(
      /^expected a paginator config object such as \{"type": "page_number"\}/,
    );
  });

  it('rejects a bad JSONPath at its key', () => {
    expect(issues({ type: 'cursor', cursor_path: '$.meta[next' })).toEqual([
      [
        'cursor_path',
        'invalid path "$.meta[next": expected an index, slice, quoted name or "*" inside "[]" at character 8',
      ],
    ]);
    expect(issues({ type: 'page_number', total_path: 'meta..' })[0]?.[0]).toBe('total_path');
  });

  it('accepts dlt-style nulls for total_path and has_more_path', () => {
    expect(
      paginatorConfigSchema.safeParse({ type: 'page_number', total_path: null, has_more_path: null }).success,
    ).toBe(true);
  });

  it('turns a type name into a config', () => {
    expect(paginatorSettingSchema.parse('single_page')).toEqual({ type: 'single_page' });
  });
});

describe('createPaginator config errors', () => {
  it('name the resource and every bad key', () => {
    let error: unknown;
    try {
      createPaginator({ type: 'offset', limit: -1, offset_param: '' } as never, { resource: 'quotes' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PaginatorConfigError);
    expect((error as PaginatorConfigError).message).toBe(
      'resource "quotes": invalid paginator config: paginator.limit: Too small: expected number to be >0; paginator.offset_param: expected a non-empty query parameter name',
    );
    expect((error as PaginatorConfigError).issues.map((issue) => issue.path)).toEqual([
      ['limit'],
      ['offset_param'],
    ]);
  });

  it('reject an unknown type name', () => {
    expect(() => createPaginator('bogus' as never, { resource: 'r' })).toThrow(
      `resource "r": invalid paginator config: paginator.type: unknown paginator type "bogus"; expected one of: ${allowed}`,
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  compileFieldPath,
  compilePath,
  DataSelectorError,
  fieldPathKeys,
  JsonPathError,
  readField,
  selectRecords,
} from '../src/index.js';

const body = {
  meta: { next_page: 2, 'odd key': 'x' },
  data: [
    { id: 1, tags: ['a'], active: true },
    { id: 2, tags: ['b', 'c'], active: false },
  ],
  nested: { items: [{ id: 3 }] },
};

describe('compilePath', () => {
  it.each([
    ['meta.next_page', 2],
    ['data.1.id', 2],
    ['data[0].tags[0]', 'a'],
    ["meta['odd key']", 'x'],
    ['response.meta.next_page', 2],
    ['{{ response.meta.next_page }}', 2],
    ["{{ response['meta']['next_page'] }}", 2],
    ['$.meta.next_page', 2],
    ['$.data[1].tags', ['b', 'c']],
    ['$', body],
    ['meta.missing.deeper', undefined],
  ])('reads %s', (path, expected) => {
    expect(compilePath(path)(body)).toEqual(expected);
  });

  it('returns all matches for wildcards, filters and recursive descent', () => {
    expect(compilePath('$.data[*].id')(body)).toEqual([1, 2]);
    expect(compilePath('data[*].id')(body)).toEqual([1, 2]);
    expect(compilePath('$..items')(body)).toEqual([[{ id: 3 }]]);
    expect(compilePath('$.data[?(@.active)]')(body)).toEqual([body.data[0]]);
    expect(compilePath('$.missing[*]')(body)).toEqual([]);
  });

  it('reads a top-level "response" key literally when the body has one', () => {
    expect(compilePath('response.data')({ response: { data: [1] } })).toEqual([1]);
    expect(compilePath('response.data')({ data: [2] })).toEqual([2]);
  });

  it.each([
    ['', 'a path must be a non-empty string'],
    ['$.data[', 'expected an index, slice, quoted name or "*" inside "[]" at character 8'],
    ['$.a[0', 'unclosed "[" at character 4'],
    ['$..', 'expected a name or "*" after "." at character 4'],
    ['$]', 'unexpected "]"; expected "." or "[" at character 2'],
    ['$.a b', 'whitespace in name "a b" at character 3'],
    ['$[?(@.a==)]', 'bad filter (@.a==): Expected expression after == at character 8'],
    ['$[?(@.a', 'unbalanced "(" at character 4'],
    ["$['a]", 'unclosed quote at character 3'],
    ['meta.', 'path ends with "." at character 6'],
    ['meta[]', 'empty brackets at character 5'],
    ['a b', 'whitespace in a path segment at character 1'],
  ])('rejects %j at compile time', (path, message) => {
    expect(() => compilePath(path)).toThrow(new JsonPathError(path, message));
  });

  it('wraps a filter that fails on the data', () => {
    const select = compilePath('$.data[?(@.x.y == 1)]');
    expect(() => select(body)).toThrow(JsonPathError);
  });
});

describe('selectRecords', () => {
  it('uses the data_selector', () => {
    expect(selectRecords({ products: [{ id: 1 }], page_context: {} }, 'products')).toEqual([{ id: 1 }]);
    expect(selectRecords(body, '$.data[*]')).toEqual(body.data);
    expect(selectRecords(body, '$.data[?(@.id == 2)]')).toEqual([body.data[1]]);
    expect(selectRecords({ usage: { id: 1 } }, 'usage')).toEqual([{ id: 1 }]);
    expect(selectRecords({ products: [] }, compilePath('products'))).toEqual([]);
  });

  it('finds the records without a selector', () => {
    expect(selectRecords([{ id: 1 }])).toEqual([{ id: 1 }]);
    expect(selectRecords({ invoices: [{ id: 1 }], page_context: { page: 1 } })).toEqual([{ id: 1 }]);
    expect(selectRecords({ data: [{ id: 1 }], errors: [] })).toEqual([{ id: 1 }]);
  });

  it('fails clearly, listing the top-level keys', () => {
    let error: unknown;
    try {
      selectRecords({ code: 0, message: 'success', page_context: {} }, 'estimates');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataSelectorError);
    expect((error as DataSelectorError).message).toBe(
      'data_selector "estimates" selected nothing; top-level keys: code, message, page_context',
    );
    expect((error as DataSelectorError).keys).toEqual(['code', 'message', 'page_context']);
    expect(() => selectRecords({ code: 0, message: 'x' }, 'message')).toThrow(
      'data_selector "message" selected a string ("x") instead of an array of records; top-level keys: code, message',
    );
    expect(() => selectRecords({ a: [1], b: [2] })).toThrow(
      'cannot tell where the records are: several top-level fields hold arrays (a, b); set data_selector (top-level keys: a, b)',
    );
    expect(() => selectRecords({ a: 1 })).toThrow(
      /no top-level field holds an array; set data_selector \(top-level keys: a\)/,
    );
    expect(() => selectRecords('<html>')).toThrow(/the response body is a string/);
  });
});

describe('field paths in records (one rule for keys, cursors, parent fields and rules)', () => {
  const record = { 'meta.id': 'literal', meta: { id: 'nested' }, items: [{ sku: 'a' }], 'order id': 7 };

  it('reads a key spelled exactly as the path before walking the path', () => {
    expect(readField(record, 'meta.id')).toBe('literal');
    expect(readField({ meta: { id: 'nested' } }, 'meta.id')).toBe('nested');
    expect(compileFieldPath('items.0.sku')(record)).toBe('a');
    expect(compileFieldPath("items[0]['sku']")(record)).toBe('a');
  });

  it('takes a name that is no path as a key only, and gives response no special meaning', () => {
    expect(readField(record, 'order id')).toBe(7);
    expect(readField({}, 'order id')).toBeUndefined();
    expect(readField({ id: 1 }, 'response.id')).toBeUndefined();
    expect(readField({ response: { id: 2 } }, 'response.id')).toBe(2);
    // Inherited properties are no fields.
    expect(readField({}, 'constructor')).toBeUndefined();
  });

  it('writes where it reads', () => {
    expect(fieldPathKeys(record, 'meta.id')).toEqual(['meta.id']);
    expect(fieldPathKeys({}, 'meta.id')).toEqual(['meta', 'id']);
    expect(fieldPathKeys({}, 'order id')).toEqual(['order id']);
  });
});

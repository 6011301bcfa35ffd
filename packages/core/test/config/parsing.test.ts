import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/text.js';
import { validateConfig } from '../../src/config/validate.js';
import { dlt } from '../../src/secrets/dlt.js';
import { SecretRef } from '../../src/secrets/secret.js';

describe('Python literal text', () => {
  it('reads every literal form dlt scripts use, without running Python', () => {
    const text = String.raw`
import dlt
from dlt.sources.rest_api import RESTAPIConfig, rest_api_source

# a comment with rest_api_source( inside is ignored
config: RESTAPIConfig = {
    'client': {"base_url": "https://api.example.com/v2/", 'headers': {'X-Org': dlt.secrets['org_id']}},  # trailing
    "resources": [
        {"name": "a", "selected": True, "primary_key": ("id", "region"), "endpoint": {"params": {
            "n": -12, "f": 1.5e3, "big": 1_000, "hex": 0x1F, "none": None, "off": False,
            "s": 'it\'s "quoted"\n\ttab \u00e9', "raw": r"\d+", "joined": "a" "b",
            "multi": """line1
line2""",
        }}},
    ],
}
source = rest_api_source(config)
`;
    const { value, lineOf } = parseConfigText(text, { source: 'script.py' });
    expect(value).toEqual({
      client: { base_url: 'https://api.example.com/v2/', headers: { 'X-Org': new SecretRef('org_id') } },
      resources: [
        {
          name: 'a',
          selected: true,
          primary_key: ['id', 'region'],
          endpoint: {
            params: {
              n: -12,
              f: 1500,
              big: 1000,
              hex: 31,
              none: null,
              off: false,
              s: 'it\'s "quoted"\n\ttab é',
              raw: '\\d+',
              joined: 'ab',
              multi: 'line1\nline2',
            },
          },
        },
      ],
    });
    expect(lineOf(['resources', 0, 'endpoint', 'params', 'off'])).toBe(10);
  });

  it('rejects code it would have to run', () => {
    for (const [expression, message] of [
      ['lambda r: r', /a lambda cannot be converted/],
      ['f"{x}"', /f-strings cannot be converted/],
      ['os.getenv("X")', /"os.getenv" is not a literal/],
      ['dlt.config["x"]', /dlt.config\["x"\] cannot be resolved here/],
    ] as const) {
      expect(() => parseConfigText(`rest_api_source({"a": ${expression}})`, { format: 'python' })).toThrow(
        message,
      );
    }
  });
});

describe('secret references', () => {
  it('accepts dlt.secrets["x"] strings (either quote) and {"$secret": "x"} in files, and dlt.secrets in TS', () => {
    const yaml = [
      'client:',
      '  base_url: https://api.example.com',
      `  headers: { X-A: "dlt.secrets['a']", X-B: { $secret: b } }`,
      `  auth: { type: api_key, name: key, api_key: 'dlt.secrets["c"]', location: query }`,
      'resources: [x]',
    ].join('\n');
    const config = validateConfig(yaml);
    expect(config.client.headers).toEqual({ 'X-A': new SecretRef('a'), 'X-B': new SecretRef('b') });
    expect(config.client.auth).toMatchObject({ api_key: new SecretRef('c') });
    const ts = validateConfig({
      client: {
        base_url: 'https://api.example.com',
        // biome-ignore lint/complexity/useLiteralKeys: dlt's own spelling, which TS users copy
        auth: { type: 'bearer', token: dlt.secrets['api_key']! },
      },
      resources: ['x'],
    });
    expect(ts.client.auth).toEqual({ type: 'bearer', token: new SecretRef('api_key') });
  });
});

describe('resource_defaults and shorthands', () => {
  it('merges defaults like dlt: params and json key by key, paginator replaced whole', () => {
    const config = validateConfig({
      client: { base_url: 'https://api.example.com', paginator: 'header_link' },
      resource_defaults: {
        primary_key: 'id',
        write_disposition: 'merge',
        endpoint: {
          params: { per_page: 50, status: 'all' },
          paginator: { type: 'page_number', limit: 50 },
          json: { filter: { a: 1 } },
        },
      },
      resources: [
        'users',
        {
          name: 'orders',
          write_disposition: 'append',
          endpoint: {
            path: 'orders',
            params: { status: 'open' },
            paginator: { type: 'offset', limit: 10 },
            json: { filter: { b: 2 } },
          },
        },
      ],
    });
    const [users, orders] = config.resources;
    expect(users).toMatchObject({
      name: 'users',
      primaryKey: ['id'],
      writeDisposition: 'merge',
      endpoint: {
        path: 'users',
        params: { per_page: 50, status: 'all' },
        paginator: { type: 'page_number', limit: 50 },
      },
    });
    expect(orders).toMatchObject({
      writeDisposition: 'append',
      endpoint: {
        path: 'orders',
        params: { per_page: 50, status: 'open' },
        paginator: { type: 'offset', limit: 10 },
        json: { filter: { a: 1, b: 2 } },
      },
    });
    expect(config.client.paginator).toBe('header_link');
  });

  it('returns a frozen config built from the parsed values', () => {
    const config = validateConfig({
      client: { base_url: 'https://api.example.com', retry: { statuses: [503] } },
      resource_defaults: { primary_key: 'id', endpoint: { params: { per_page: 50 } } },
      resources: [
        { name: 'orders', endpoint: { path: 'orders', method: 'post', params: { status: 'open' } } },
      ],
    });
    const [orders] = config.resources;
    // The schema's output, not the text as written: the method is upper-cased by the schema.
    expect(orders?.endpoint.method).toBe('POST');
    expect(orders?.endpoint.params).toEqual({ per_page: 50, status: 'open' });
    expect(orders?.primaryKey).toEqual(['id']);
    for (const part of [
      config,
      config.client,
      config.client.retry,
      config.client.retry.statuses,
      config.resources,
      orders,
      orders?.primaryKey,
      orders?.endpoint,
      orders?.endpoint.params,
      orders?.endpoint.headers,
      orders?.processingSteps,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => orders?.primaryKey.push('region')).toThrow(TypeError);
  });

  it('turns dlt "resolve" params and incremental params into the engine form', () => {
    const config = validateConfig({
      client: { base_url: 'https://api.example.com' },
      resources: [
        'issues',
        {
          name: 'comments',
          endpoint: {
            path: 'issues/{issue_number}/comments',
            params: {
              issue_number: { type: 'resolve', resource: 'issues', field: 'number' },
              since: { type: 'incremental', cursor_path: 'updated_at', initial_value: '2024-01-01' },
            },
          },
        },
      ],
    });
    const comments = config.resources[1]!;
    expect(comments.endpoint.path).toBe('issues/{resources.issues.number}/comments');
    expect(comments.endpoint.params).toEqual({});
    expect(comments.parent).toEqual({ resource: 'issues', fields: ['number'] });
    expect(comments.incremental).toMatchObject({
      cursorPath: 'updated_at',
      startParam: 'since',
      initialValue: '2024-01-01',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { ConfigError } from '../../src/errors/config-error.js';

const base = { base_url: 'https://api.example.com' };
const messageOf = (input: unknown, options: Parameters<typeof validateConfig>[1] = {}) => {
  try {
    validateConfig(input as Record<string, unknown>, options);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('bad configs get errors that name the mistake', () => {
  it('unknown paginator type', () => {
    expect(
      messageOf({
        client: base,
        resources: [{ name: 'a', endpoint: { path: '/a', paginator: { type: 'pages' } } }],
      }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - resources[0].endpoint.paginator.type: unknown paginator type "pages"; expected one of: auto, single_page, page_number, offset, cursor, json_response_cursor, json_link, header_link, header_cursor"
    `);
  });

  it('missing base_url', () => {
    expect(messageOf({ client: {}, resources: ['a'] })).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - client.base_url: missing required key "base_url" (expected a string)"
    `);
  });

  it('bad JSONPath in data_selector', () => {
    expect(
      messageOf({
        client: base,
        resources: [{ name: 'a', endpoint: { path: '/a', data_selector: '$.data[?(@.x' } }],
      }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - resources[0].endpoint.data_selector: invalid path "$.data[?(@.x": unbalanced "(" at character 9"
    `);
  });

  it('unknown key, with a suggestion', () => {
    expect(
      messageOf({ client: base, resources: [{ name: 'a', endpoint: { pth: '/a' } }] }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - resources[0].endpoint.pth: unknown key "pth" in endpoint (did you mean "path"?); allowed keys: path, method, params, json, headers, data_selector, paginator, incremental, response_actions"
    `);
  });

  it('unknown paginator key, with a suggestion', () => {
    expect(
      messageOf({
        client: base,
        resources: [{ name: 'a', endpoint: { paginator: { type: 'cursor', cursor_parm: 'page' } } }],
      }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - resources[0].endpoint.paginator.cursor_parm: unknown key "cursor_parm" for paginator type "cursor" (did you mean "cursor_param"?); allowed keys: type, cursor_path, cursor_param, cursor_body_path, limit, limit_param, limit_body_path"
    `);
  });

  it('wrong type', () => {
    expect(
      messageOf({ client: { ...base, timeout_seconds: 'ten' }, resources: [{ name: 'a', selected: 'yes' }] }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 2 problems
        - client.timeout_seconds: expected a number, got "ten"
        - resources[0].selected: expected a boolean, got "yes""
    `);
  });

  it('names a mapping or a list by its kind, in the words of a YAML file', () => {
    const message = messageOf({
      client: { ...base, timeout_seconds: { s: 10 } },
      resources: [{ name: ['a'] }],
    });
    expect(message).toContain('client.timeout_seconds: expected a number, got a mapping');
    expect(message).toContain('resources[0].name: expected a string, got a list');
  });

  it('placeholder referencing an unknown parent', () => {
    expect(
      messageOf({
        client: base,
        resources: ['orders', { name: 'items', endpoint: { path: '/orders/{resources.order.id}/items' } }],
      }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - resources[1].endpoint.path: placeholder {resources.order.id} refers to resource "order", which is not defined (did you mean "orders"?); defined resources: orders, items"
    `);
  });

  it('missing secret', async () => {
    const { restApiSource } = await import('../../src/engine/source.js');
    const { staticSecrets, envSecrets, chainSecrets } = await import('../../src/secrets/providers.js');
    const source = restApiSource(
      { client: { ...base, auth: { type: 'bearer', token: 'dlt.secrets["api_key"]' } }, resources: ['a'] },
      {
        name: 'analytics',
        secrets: chainSecrets([envSecrets({ env: {}, sourceName: 'analytics' }), staticSecrets({})]),
      },
    );
    await expect(source.prepare()).rejects.toThrowErrorMatchingInlineSnapshot(`
      [SecretNotFoundError: Missing secret:
        - "api_key": looked in environment variables SOURCES__ANALYTICS__API_KEY, SOURCES__API_KEY, API_KEY; static secrets]
    `);
  });

  it('bad write_disposition', () => {
    expect(
      messageOf({
        client: base,
        resources: [
          { name: 'a', write_disposition: 'upsert' },
          { name: 'b', primary_key: 'id', write_disposition: { disposition: 'merge', strategy: 'scd2' } },
        ],
      }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 2 problems
        - resources[0].write_disposition: expected "append", "merge", "replace" or {"disposition": ..., "strategy": ...}; got "upsert"
        - resources[1].write_disposition.strategy: "scd2" is not supported: a compacted topic keeps the latest value per key; allowed: delete-insert, upsert"
    `);
  });

  it('bad YAML, with the line number', () => {
    const yaml = [
      'client:',
      '  base_url: https://api.example.com',
      'resources:',
      '  - name: a',
      '   endpoint: /a',
    ].join('\n');
    expect(messageOf(yaml, { source: 'bad.yaml' })).toMatchInlineSnapshot(`
      "Invalid rest_api config in bad.yaml: 1 problem
        - (root) (line 5): YAML syntax error: Sequence item without - indicator"
    `);
  });

  it('a validation error in YAML points at its line', () => {
    const yaml = [
      'client:',
      '  base_url: https://api.example.com',
      'resources:',
      '  - name: a',
      '    endpoint:',
      '      path: /a',
      '      paginator:',
      '        type: offset',
      '        limit: many',
    ].join('\n');
    expect(messageOf(yaml, { source: 'config.yaml' })).toMatchInlineSnapshot(`
      "Invalid rest_api config in config.yaml: 1 problem
        - resources[0].endpoint.paginator.limit (line 9): expected a number, got "many""
    `);
  });

  it('non-object resource', () => {
    expect(messageOf({ client: base, resources: ['a', 42, null] })).toMatchInlineSnapshot(`
      "Invalid rest_api config: 2 problems
        - resources[1]: expected a resource object such as {"name": "users", "endpoint": "/users"}, or a resource name
        - resources[2]: expected a resource object such as {"name": "users", "endpoint": "/users"}, or a resource name"
    `);
  });

  it('duplicate resource names', () => {
    expect(
      messageOf({ client: base, resources: ['plans', 'coupons', { name: 'plans' }] }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - resources[2].name: duplicate resource name "plans" (already used by resources[0])"
    `);
  });

  it('incremental without cursor_path', () => {
    expect(
      messageOf({
        client: base,
        resources: [{ name: 'a', endpoint: { incremental: { initial_value: 1, start_param: 'since' } } }],
      }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - resources[0].endpoint.incremental.cursor_path: missing required key "cursor_path" (expected a string)"
    `);
  });

  it('unknown auth type names the known ones and where oauth2 comes from', () => {
    expect(
      messageOf({ client: { ...base, auth: { type: 'oauth2', client_id: 'x' } }, resources: ['a'] }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - client.auth.type: unknown auth type "oauth2"; known types: api_key, bearer, http_basic. "oauth2" needs @siphon/auth-oauth2 (pass \`authFactories: { oauth2: oauth2Auth }\`)"
    `);
  });

  it('merge without a primary key', () => {
    expect(
      messageOf({ client: base, resource_defaults: { write_disposition: 'merge' }, resources: ['a'] }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 1 problem
        - resources[0].primary_key: write_disposition "merge" needs a primary_key (it becomes the Kafka message key)"
    `);
  });

  it('a string expression as a processing step', () => {
    expect(
      messageOf({
        client: base,
        resources: [{ name: 'a', processing_steps: [{ filter: 'lambda r: r["x"]' }, { mapp: {} }] }],
      }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 2 problems
        - resources[0].processing_steps[0].filter: a string expression cannot be run safely from a config file; use a rule object or, in TS, a function (filter)
        - resources[0].processing_steps[1]: expected {"filter": ...} or {"map": ...} (got keys: mapp)"
    `);
  });

  it('an unsupported dlt key and an unknown response action', () => {
    expect(
      messageOf({
        client: base,
        resources: [
          { name: 'a', columns: {}, endpoint: { response_actions: [{ status_code: 404, action: 'skip' }] } },
        ],
      }),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config: 2 problems
        - resources[0].endpoint.response_actions[0].action: expected "ignore" (the only response action Siphon supports)
        - resources[0].columns: "columns" is a dlt option that Siphon does not support: declare the value schema with "schema" (an Avro record schema); allowed keys: name, endpoint, primary_key, write_disposition, processing_steps, include_from_parent, selected, schema_contract, hard_delete, delete_detection, schema, pages_ahead"
    `);
  });

  it('pages_ahead out of range, on the client and on a resource, in YAML with its line', () => {
    expect(
      messageOf(
        [
          'client:',
          '  base_url: https://api.example.com',
          '  pages_ahead: 40',
          'resources:',
          '  - name: a',
          '    pages_ahead: -1',
          '  - name: b',
          '    pages_ahead: 2.5',
        ].join('\n') as unknown as Record<string, unknown>,
        { source: 'pipeline.yaml' },
      ),
    ).toMatchInlineSnapshot(`
      "Invalid rest_api config in pipeline.yaml: 3 problems
        - client.pages_ahead (line 3): must be <= 16, got 40 (each page ahead holds a response in memory)
        - resources[0].pages_ahead (line 6): must be >= 0, got -1
        - resources[1].pages_ahead (line 8): expected an integer, got 2.5"
    `);
  });

  it('collects every problem at once, never echoing auth values', () => {
    const message = messageOf({
      client: { base_url: 'ftp://x', auth: { type: 'bearer', token: 12345678 } },
      resources: [{ name: 'a', endpoint: { method: 'DELETE' } }, 'bad name!'],
    });
    expect(message).toMatchInlineSnapshot(`
      "Invalid rest_api config: 4 problems
        - client.base_url: expected an absolute http(s) URL, got "ftp://x"
        - client.auth.token: expected a string or a secret reference (dlt.secrets["key"] or {"$secret": "key"})
        - resources[0].endpoint.method: expected one of "GET", "POST"; got "DELETE"
        - resources[1].name: expected a name of letters, digits, "_", "-" and "." (it names a topic)"
    `);
    expect(message).not.toContain('12345678');
  });

  it('bad Python text names its line', () => {
    const python = [
      'import dlt',
      'source = rest_api_source({',
      '    "client": {"base_url": os.environ["URL"]},',
      '})',
    ].join('\n');
    expect(messageOf(python, { source: 'seed.py' })).toMatchInlineSnapshot(`
      "Invalid rest_api config in seed.py: 1 problem
        - (root) (line 3): "os.environ" is not a literal: only dicts, lists, strings, numbers, True/False/None and dlt.secrets[...] can be read without running Python"
    `);
  });
});

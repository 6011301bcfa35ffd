import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './helpers/in-process.js';
import { runCli } from './helpers/runner.js';

/**
 * Broken config files, each with the exact message the user sees (file:line:col in the file they
 * edited) and the exit code. Nothing here reaches Kafka or an API: every problem is found while
 * the config is read, so the commands stop before connecting anywhere. Most cases call the CLI's
 * `main` in this process (the same code, streams and exit code, without a Node start per case);
 * the cases marked "(spawned)" run the built `siphon`, as users do.
 */

const head = `defaults:
  kafka: { brokers: "127.0.0.1:9" }
  registry: { url: "http://127.0.0.1:9" }
pipelines:
`;

/** Writes the files into a fresh folder; returns the folder. */
async function files(entries: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'siphon-config-errors-'));
  for (const [name, text] of Object.entries(entries)) await writeFile(path.join(dir, name), text);
  return dir;
}

type Cli = (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;

async function failure(command: string, dir: string, file = 'p.yaml', cli: Cli = runMain) {
  const result = await cli([command, '-c', path.join(dir, file)]);
  return { code: result.code, stderr: result.stderr.replaceAll(`${dir}/`, ''), stdout: result.stdout };
}

/** `siphon check` on this pipelines file exits 2 and prints exactly these problems, in order. */
async function expectInvalidPipelines(pipelinesYaml: string, problems: string[]): Promise<void> {
  const dir = await files({ 'p.yaml': pipelinesYaml });
  const result = await failure('check', dir);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toBe(['siphon: invalid pipelines file', ...problems, ''].join('\n'));
}

/** A pipelines file with one pipeline of the billing package, under `head`, with these option lines. */
const billingOptions = (optionLines: string) =>
  `${head}  - name: b
    source:
      package: billing
      options:
${optionLines}`;

const pythonSeed = `import dlt
from dlt.sources.rest_api import rest_api_source

source = rest_api_source({
    "client": {
        "base_url": "https://x.example",
    },
    "resources": [
        {
            "name": "r",
            "endpoint": {"paginator": {"type": "bogus"}},
        },
    ],
})
`;

/** The README's example (apps/runner/README.md, "The pipelines file"). */
const PIPELINES = `defaults:
  kafka: { brokers: 9092 }
  registry: { url: "http://127.0.0.1:8081/apis/ccompat/v7" }
  topics: { template: "{prefix}.{source}" }
  retries: 3
pipelines:
  - name: billing
    source:
      package: billing
      options:
        base_url: https://www.zohoapis.com/billing/v1
        token_url: https://accounts.zoho.com/oauth/v2/token
        page_sizes: 200
    schedule: { every: soon }
  - name: analytics
    source:
      rest_api_file: analytics-source.py
      overrides:
        resources:
          fees: { write_disposition: upsert }
`;

const SEED = `from dlt.sources.rest_api import rest_api_source

source = rest_api_source({
    "client": {
        "base_url": "https://api.getlago.com/api/v1",
        "auth": {"type": "bearer", "token": dlt.secrets["api_key"]},
    },
    "resources": [
        {
            "name": "fees",
            "primary_key": "lago_id",
            "endpoint": {"path": "fees", "paginator": {"type": "cursr"}},
        },
    ],
})
`;

describe('config problems, where the user wrote them', () => {
  it.each([
    ['check', runMain],
    ['schema', runMain],
    ['run --once', runMain],
    ['topics', runMain],
    ['state', runMain],
    ['check (spawned)', runCli],
    ['run --once (spawned)', runCli],
  ] as const satisfies ReadonlyArray<readonly [string, Cli]>)(
    '%s: every problem of an inline rest_api, at its line and column in the pipelines file, exit 2',
    async (label, cli) => {
      const command = label.replace(' (spawned)', '');
      const dir = await files({
        'p.yaml': `${head}  - name: a
    source:
      rest_api:
        client:
          base_url: 42
        resources:
          - name: things
            endpoint:
              paginator:
                type: nope
            write_disposition: upsert
`,
      });
      const [name, ...flags] = command.split(' ');
      const result = await cli([
        name as string,
        ...flags,
        '-c',
        path.join(dir, 'p.yaml'),
        '--log-level',
        'debug',
      ]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.replaceAll(`${dir}/`, '')).toBe(
        [
          'siphon: invalid pipelines file',
          'p.yaml:9:21: pipelines[0].source.rest_api.client.base_url: expected a string, got 42',
          'p.yaml:14:23: pipelines[0].source.rest_api.resources[0].endpoint.paginator.type: unknown paginator type "nope"; expected one of: auto, single_page, page_number, offset, cursor, json_response_cursor, json_link, header_link, header_cursor',
          'p.yaml:15:32: pipelines[0].source.rest_api.resources[0].write_disposition: expected "append", "merge", "replace" or {"disposition": ..., "strategy": ...}; got "upsert"',
          '',
        ].join('\n'),
      );
    },
  );

  it("a source package's options: snake_case keys, each unknown one at its own line", async () => {
    await expectInvalidPipelines(
      billingOptions(`        base_url: 12
        page_sizes: 10
        overrides:
          invoices: { write_disposition: upsert, primaryKeys: id }
`),
      [
        'p.yaml:9:9: pipelines[0].source.options.token_url: is required (a string)',
        'p.yaml:9:19: pipelines[0].source.options.base_url: expected a string, got a number',
        'p.yaml:10:21: pipelines[0].source.options.page_sizes: unknown option; allowed: base_url, token_url, client_id, client_secret, refresh_token, header_scheme, headers, resources, page_size, preset, delete_detection, schema_contract, overrides, allow_insecure_http',
        'p.yaml:12:21: pipelines[0].source.options.overrides.invoices.primary_keys: unknown option; allowed: primary_key, write_disposition, paginator, delete_detection, schema_contract, path, data_selector, pages_ahead',
      ],
    );
  });

  it("a package's OAuth2 options are checked by the oauth2 schema, each at its option's line", async () => {
    await expectInvalidPipelines(
      billingOptions(`        base_url: https://b.example/v1
        token_url: http://127.0.0.1:4011/oauth/v2/token
        header_scheme: Zoho oauthtoken
`),
      [
        'p.yaml:10:20: pipelines[0].source.options.token_url: uses plain http: set allow_insecure_http: true to allow it for this loopback host',
        'p.yaml:11:24: pipelines[0].source.options.header_scheme: must be one word such as Bearer or Zoho-oauthtoken',
      ],
    );
  });

  it('an option the package passes through is reported at its override', async () => {
    await expectInvalidPipelines(
      billingOptions(`        base_url: https://b.example/v1
        token_url: https://b.example/token
        overrides:
          invoices: { write_disposition: upsert }
`),
      [
        'p.yaml:12:42: pipelines[0].source.options.overrides.invoices.write_disposition: expected "append", "merge", "replace" or {"disposition": ..., "strategy": ...}; got "upsert"',
      ],
    );
  });

  it("an oauth2 auth block is checked by the oauth2 plugin's schema at load, each problem at its key", async () => {
    await expectInvalidPipelines(
      `${head}  - name: o
    source:
      rest_api:
        client:
          base_url: https://api.example.com
          auth:
            type: oauth2
            client_id: dlt.secrets["client_id"]
            client_secret: dlt.secrets["client_secret"]
            refresh_token: dlt.secrets["refresh_token"]
            token_url: http://accounts.example.com/oauth/v2/token
            header_schema: Zoho-oauthtoken
        resources: [invoices]
`,
      [
        'p.yaml:15:24: pipelines[0].source.rest_api.client.auth.token_url: must use https (plain http is allowed only for loopback hosts)',
        'p.yaml:16:28: pipelines[0].source.rest_api.client.auth.header_schema: unknown key header_schema',
      ],
    );
  });

  it('a YAML rest_api_file: the problem at its line in the seed', async () => {
    const dir = await files({
      'p.yaml': `${head}  - name: c\n    source: { rest_api_file: seed.yaml }\n`,
      'seed.yaml':
        'client:\n  base_url: https://x.example\nresources:\n  - name: r\n    endpoint:\n      paginator: { type: bogus }\n',
    });
    const result = await failure('check', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'siphon: invalid pipelines file\nseed.yaml:6:26: resources[0].endpoint.paginator.type: unknown paginator type "bogus"; expected one of: auto, single_page, page_number, offset, cursor, json_response_cursor, json_link, header_link, header_cursor\n',
    );
  });

  it('a Python rest_api_file: the line and column inside the Python; an override in the pipelines file', async () => {
    const dir = await files({
      'p.yaml': `${head}  - name: d
    source:
      rest_api_file: seed.py
      overrides:
        resources:
          r: { write_disposition: upsert }
`,
      'seed.py': pythonSeed,
    });
    const result = await failure('schema', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      [
        'siphon: invalid pipelines file',
        'p.yaml:10:35: pipelines[0].source.overrides.resources.r.write_disposition: expected "append", "merge", "replace" or {"disposition": ..., "strategy": ...}; got "upsert"',
        'seed.py:11:40: resources[0].endpoint.paginator.type: unknown paginator type "bogus"; expected one of: auto, single_page, page_number, offset, cursor, json_response_cursor, json_link, header_link, header_cursor',
        '',
      ].join('\n'),
    );
  });

  it('a missing rest_api_file is named at its key', async () => {
    const dir = await files({ 'p.yaml': `${head}  - name: c\n    source: { rest_api_file: nope.yaml }\n` });
    const result = await failure('check', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `siphon: invalid pipelines file\np.yaml:6:30: pipelines[0].source.rest_api_file: cannot read ${dir}/nope.yaml: no such file\n`.replaceAll(
        `${dir}/`,
        '',
      ),
    );
  });

  it('a .json seed and a .json pipelines file are read as JSON: a trailing comma is an error in JSON words', async () => {
    const dir = await files({
      'p.yaml': `${head}  - name: c\n    source: { rest_api_file: seed.json }\n`,
      'seed.json':
        '{\n  "client": { "base_url": "https://x.example" },\n  "resources": [\n    { "name": "r" },\n  ]\n}\n',
      'p.json': '{\n  "pipelines": [\n    { "name": "a" }\n  ],\n}\n',
    });
    const seed = await failure('check', dir);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toBe(
      'siphon: invalid pipelines file\nseed.json:4:20: JSON syntax error: trailing comma\n',
    );
    const own = await failure('check', dir, 'p.json');
    expect(own.code).toBe(2);
    expect(own.stderr).toBe('siphon: invalid pipelines file\np.json:4:4: invalid JSON: trailing comma\n');
  });
});

describe('validation that names every problem rightly', () => {
  it('an unknown key under defaults hides nothing; a wrong type is not "required"; bad topic templates are located', async () => {
    await expectInvalidPipelines(
      `defaults:
  kafka: { brokers: 9092 }
  registry: { url: "http://127.0.0.1:9" }
  topics: { partitions: three }
  retries: 3
pipelines:
  - name: a
    source: { package: billing, options: { base_url: "https://b.example", token_url: "https://b.example/t" } }
    topics: { template: "{prefix}.{source}" }
  - name: b
    source: { package: billing, options: { base_url: "https://b.example", token_url: "https://b.example/t" } }
    topics: { template: "{prefix}.{resourse}" }
  - name: c
    source: { package: billing, options: { base_url: "https://b.example", token_url: "https://b.example/t" } }
    topics: { template: "{prefix}/{resource}" }
`,
      [
        'p.yaml:2:21: defaults.kafka.brokers: expected a list or a string, got a number',
        'p.yaml:4:25: defaults.topics.partitions: expected a number, got a string',
        'p.yaml:5:12: defaults.retries: unknown key (expected kafka, registry, topics, state, schedule, concurrency, secrets, sink, errors, weights)',
        'p.yaml:9:25: pipelines[0].topics.template: must contain {resource}: without it every resource of a pipeline would write to one topic',
        'p.yaml:12:25: pipelines[1].topics.template: unknown placeholder {resourse} (allowed: {prefix}, {pipeline}, {source}, {resource})',
        'p.yaml:15:25: pipelines[2].topics.template: may only hold letters, digits, ".", "_", "-" and the placeholders {prefix}, {pipeline}, {source}, {resource}',
      ],
    );
  });
});

describe('the README example', () => {
  it('lists the problems of the pipelines file and of the seed it names, all at once (spawned)', async () => {
    const dir = await files({ 'pipelines.yaml': PIPELINES, 'analytics-source.py': SEED });
    const result = await failure('check', dir, 'pipelines.yaml', runCli);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      [
        'siphon: invalid pipelines file',
        'pipelines.yaml:2:21: defaults.kafka.brokers: expected a list or a string, got a number',
        'pipelines.yaml:4:23: defaults.topics.template: must contain {resource}: without it every resource of a pipeline would write to one topic',
        'pipelines.yaml:5:12: defaults.retries: unknown key (expected kafka, registry, topics, state, schedule, concurrency, secrets, sink, errors, weights)',
        'pipelines.yaml:13:21: pipelines[0].source.options.page_sizes: unknown option; allowed: base_url, token_url, client_id, client_secret, refresh_token, header_scheme, headers, resources, page_size, preset, delete_detection, schema_contract, overrides, allow_insecure_http',
        'pipelines.yaml:14:24: pipelines[0].schedule.every: "soon" is not a duration such as 30s, 15m, 1h or 1h30m',
        'pipelines.yaml:20:38: pipelines[1].source.overrides.resources.fees.write_disposition: expected "append", "merge", "replace" or {"disposition": ..., "strategy": ...}; got "upsert"',
        'analytics-source.py:12:56: resources[0].endpoint.paginator.type: unknown paginator type "cursr"; expected one of: auto, single_page, page_number, offset, cursor, json_response_cursor, json_link, header_link, header_cursor',
        '',
      ].join('\n'),
    );
  });
});

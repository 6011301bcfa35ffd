import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEventBus, parseDuration, Redaction } from '@siphon/core';
import { describe, expect, it } from 'vitest';
import { loadPipelinesFile, parsePipelinesText } from '../src/config/load.js';
import { PipelinesFileError, UsageError } from '../src/errors.js';
import { buildSource } from '../src/pipeline/build-source.js';

/** `${body}` without writing a template-looking string literal. */
const ref = (body: string) => `$${'{'}${body}}`;

const base = `
defaults:
  kafka: { brokers: ["127.0.0.1:9092"] }
  registry: { url: http://127.0.0.1:8081/apis/ccompat/v7 }
pipelines:
  - name: analytics
    source:
      rest_api_file: ./seeds/analytics.md
      overrides: { client: { base_url: http://127.0.0.1:3000 } }
`;

function issuesOf(fn: () => unknown): PipelinesFileError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PipelinesFileError) return error;
    throw error;
  }
  throw new Error('expected a PipelinesFileError');
}

describe('pipelines file', () => {
  it('merges defaults into each pipeline and applies documented defaults', () => {
    const { pipelines } = parsePipelinesText(base, '/etc/siphon/pipelines.yaml', { env: {} });
    expect(pipelines).toHaveLength(1);
    const [p] = pipelines;
    // The kafka, registry, topics and sink blocks come out as the Kafka sink's own parsed options.
    expect(p?.kafka).toMatchObject({ brokers: ['127.0.0.1:9092'], clientId: 'siphon', ssl: false });
    expect(p?.topics).toMatchObject({
      prefix: 'siphon',
      template: '{prefix}.{source}.{resource}',
      partitions: 3,
      replicationFactor: 1,
      stateTopic: 'siphon._state',
    });
    expect(p?.sink.transactions).toEqual({ boundary: { intervalMs: 1000 }, timeoutMs: 60_000 });
    expect(Object.isFrozen(p?.kafka) && Object.isFrozen(p?.topics) && Object.isFrozen(p?.sink)).toBe(true);
    expect(p?.state).toEqual({ store: 'kafka' });
    expect(p?.source.rest_api_file).toBe('/etc/siphon/seeds/analytics.md');
  });

  it('lets a pipeline override part of a default and replace its state store', () => {
    const text = `${base}    kafka: { client_id: mine }\n    state: { store: file, path: /tmp/s.json }\n`;
    const [p] = parsePipelinesText(text, '/x/p.yaml', { env: {} }).pipelines;
    expect(p?.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(p?.kafka.clientId).toBe('mine');
    expect(p?.state).toEqual({ store: 'file', path: '/tmp/s.json' });
  });

  it(
    'interpolates ' +
      ref('VAR') +
      ', ' +
      ref('VAR:-default') +
      ', $' +
      ref(' and ${file:...') +
      ', and marks secrets',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'siphon-config-'));
      await writeFile(path.join(dir, 'kafka_password'), 's3cr3t-from-file\n');
      const text = `
defaults:
  kafka:
    brokers: "\${BROKERS}"
    client_id: "\${CLIENT:-siphon-x}-lit$\${x}"
    sasl: { mechanism: scram-sha-512, username: app, password: "\${file:kafka_password}" }
  registry: { url: "\${REGISTRY_URL}", auth: { username: u, password: "\${REGISTRY_PASSWORD}" } }
  topics: { partitions: "\${PARTITIONS}" }
pipelines:
  - name: billing
    source:
      package: billing
      options:
        base_url: https://billing.example/v1
        token_url: https://billing.example/oauth/token
        client_secret: "\${BILLING_CLIENT_SECRET}"

`;
      const file = path.join(dir, 'p.yaml');
      await writeFile(file, text);
      const env = {
        BROKERS: 'a:9092,b:9093',
        REGISTRY_URL: 'http://reg:8081/',
        REGISTRY_PASSWORD: 'registry-pass',
        PARTITIONS: '6',
        BILLING_CLIENT_SECRET: 'client-secret-value',
      };
      const loaded = await loadPipelinesFile(file, { env });
      const p = loaded.pipelines[0];
      expect(p?.kafka.brokers).toEqual(['a:9092', 'b:9093']);
      expect(p?.kafka.clientId).toBe(`siphon-x-lit${ref('x')}`);
      expect(p?.kafka.sasl?.password).toBe('s3cr3t-from-file');
      expect(p?.registry.url).toBe('http://reg:8081');
      expect(p?.topics.partitions).toBe(6);
      expect(p?.source.options?.client_secret).toBe('client-secret-value');
      expect([...loaded.secretValues].sort()).toEqual([
        'client-secret-value',
        'registry-pass',
        's3cr3t-from-file',
      ]);
    },
  );

  it('parses each source config once, at load, and builds the source from that parse', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'siphon-config-'));
    const seed = path.join(dir, 'seed.yaml');
    await writeFile(
      seed,
      'client: { base_url: https://api.example.com }\nresources: [{ name: users, primary_key: id }]\n',
    );
    const file = path.join(dir, 'p.yaml');
    await writeFile(
      file,
      `${base.split('pipelines:')[0]}pipelines:\n  - name: users\n    source: { rest_api_file: ./seed.yaml, overrides: { resources: { users: { endpoint: /people } } } }\n`,
    );
    const loaded = await loadPipelinesFile(file);
    const pipeline = loaded.pipelines[0];
    if (!pipeline) throw new Error('expected one pipeline');
    expect(pipeline.parsedSource?.configSource).toBe(seed);
    expect(Object.isFrozen(pipeline.parsedSource?.config)).toBe(true);
    // The seed is not read again: the source runs on what the file said when it was loaded.
    await rm(seed);
    const source = await buildSource(pipeline, {
      events: createEventBus(),
      secrets: new Redaction(),
    });
    expect(source.config.resources.map((r) => [r.name, r.endpoint.path, r.primaryKey])).toEqual([
      ['users', '/people', ['id']],
    ]);
  });

  it('names the file, line and key of an unset variable', () => {
    const text = base.replace('http://127.0.0.1:3000', `"${ref('ANALYTICS_URL')}"`);
    const error = issuesOf(() => parsePipelinesText(text, '/x/p.yaml', { env: {} }));
    expect(error.message).toBe(
      '/x/p.yaml:9:40: pipelines[0].source.overrides.client.base_url: environment variable ANALYTICS_URL is not set (referenced as ' +
        ref('ANALYTICS_URL') +
        ')',
    );
  });

  it('reports a missing secret file without its content or a stack', () => {
    const text = base.replace('http://127.0.0.1:3000', `"${ref('file:/nonexistent/secret')}"`);
    const error = issuesOf(() => parsePipelinesText(text, '/x/p.yaml', { env: {} }));
    expect(error.message).toMatch(
      /^\/x\/p\.yaml:9:\d+: .*cannot read secret file \/nonexistent\/secret \(ENOENT\)$/,
    );
  });

  it('reports bad YAML with its line', () => {
    const error = issuesOf(() => parsePipelinesText('pipelines:\n  - name: a\n   bad: [\n', '/x/p.yaml'));
    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(2);
    expect(error.message).toMatch(/^\/x\/p\.yaml:\d+:\d+: invalid YAML: /);
  });

  it('reports bad JSON as JSON, with its line', () => {
    const error = issuesOf(() =>
      parsePipelinesText('{\n  "pipelines": [\n    {"name": "a",,}\n  ]\n}\n', '/x/p.json'),
    );
    expect(error.message).toMatch(/^\/x\/p\.json:3:\d+: invalid JSON: /);
  });

  it('reads JSON files', () => {
    const json = JSON.stringify({
      defaults: { kafka: { brokers: ['k:9092'] }, registry: { url: 'http://r:8081' } },
      pipelines: [{ name: 'a', source: { package: 'analytics' } }],
    });
    expect(parsePipelinesText(json, '/x/p.json').pipelines[0]?.source.package).toBe('analytics');
  });

  it('lists every problem, each at its own line and key', () => {
    const text = `
defaults:
  registry: { url: ftp://nope }
  topics: { partitions: 0, colour: blue }
pipelines:
  - name: billing
    source: { package: billling }
    schedule: { every: soon }
  - name: billing
    source: { package: billing }
    kafka: { brokers: [] }
`;
    const error = issuesOf(() => parsePipelinesText(text, '/x/p.yaml', { env: {} }));
    const lines = error.message.split('\n');
    expect(lines).toContain(
      '/x/p.yaml:7:24: pipelines[0].source.package: unknown source package "billling": expected one of billing, analytics',
    );
    expect(lines).toContain(
      '/x/p.yaml:8:24: pipelines[0].schedule.every: "soon" is not a duration such as 30s, 15m, 1h or 1h30m',
    );
    expect(lines).toContain('/x/p.yaml:3:20: defaults.registry.url: must be an http(s) URL');
    expect(lines).toContain('/x/p.yaml:4:25: defaults.topics.partitions: must be at least 1');
    expect(lines).toContain('/x/p.yaml:4:36: defaults.topics.colour: unknown key');
    expect(lines).toContain('/x/p.yaml:6:5: pipelines[0].kafka: is required (a mapping)');
    // Problems in defaults are reported once, not once per pipeline.
    expect(lines.filter((l) => l.includes('defaults.topics.colour'))).toHaveLength(1);
    expect(lines).toContain('/x/p.yaml:11:23: pipelines[1].kafka.brokers: needs at least one broker');
  });

  it("reports the Kafka sink's own rules at the file's line and key, before any run", () => {
    const text = `${base}    sink: { transaction: { interval: 2m, timeout: 1m }, encode_workers: 65 }
    topics: { state_topic: "state/topic" }
`;
    const error = issuesOf(() => parsePipelinesText(text, '/x/p.yaml', { env: {} }));
    expect(error.message.split('\n')).toEqual([
      '/x/p.yaml:10:38: pipelines[0].sink.transaction.interval: must be below transaction.timeout (60000 ms): the broker would abort the transaction first',
      '/x/p.yaml:10:73: pipelines[0].sink.encode_workers: expected at most 64 worker threads',
      '/x/p.yaml:11:28: pipelines[0].topics.state_topic: is not a Kafka topic name (1-249 characters of letters, digits, ".", "_" or "-")',
    ]);
  });

  it('rejects duplicate pipeline names', () => {
    const text = `${base}  - name: analytics\n    source: { package: analytics }\n`;
    const error = issuesOf(() => parsePipelinesText(text, '/x/p.yaml', { env: {} }));
    expect(error.message).toBe(
      '/x/p.yaml:10:11: pipelines[1].name: duplicate pipeline name "analytics" (also pipelines[0])',
    );
  });

  it('requires exactly one kind of source', () => {
    const text = base.replace(
      'rest_api_file: ./seeds/analytics.md',
      'package: analytics\n      rest_api: {}',
    );
    const error = issuesOf(() => parsePipelinesText(text, '/x/p.yaml', { env: {} }));
    expect(error.message).toContain('pipelines[0].source: give only one of package, rest_api');
  });

  it('rejects an invalid cron expression', () => {
    const text = `${base}    schedule: { cron: "every tuesday" }\n`;
    const error = issuesOf(() => parsePipelinesText(text, '/x/p.yaml', { env: {} }));
    expect(error.message).toContain('pipelines[0].schedule.cron: is not a valid cron expression');
  });

  it('says when the file does not exist', async () => {
    const error = await loadPipelinesFile('/nonexistent/pipelines.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'cannot read pipelines file /nonexistent/pipelines.yaml: no such file',
    );
  });

  it('never echoes a value in an error', () => {
    const text = base.replace('name: analytics', `name: "${ref('SECRET_NAME')}"`);
    const error = issuesOf(() =>
      parsePipelinesText(text, '/x/p.yaml', { env: { SECRET_NAME: 'has spaces!' } }),
    );
    expect(error.message).not.toContain('has spaces!');
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1500', 1500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it('rejects words', () => {
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('5 minutes')).toBeUndefined();
  });
});

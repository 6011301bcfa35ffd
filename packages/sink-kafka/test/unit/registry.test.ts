import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaRegistryClient } from '../../src/index.js';

/** A tiny Confluent-style registry behind basic auth, to check what the client sends. */
let server: Server;
let base: string;
const requests: Array<{ method: string; url: string; auth: string | undefined; body: string }> = [];

async function bodyOf(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    requests.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
    res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
    if (req.headers.authorization !== `Basic ${Buffer.from('reg-user:s3cret').toString('base64')}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error_code: 40101, message: 'Unauthorized' }));
      return;
    }
    if (req.method === 'GET' && req.url?.endsWith('/versions/latest')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ error_code: 40401, message: 'Subject not found' }));
    } else if (req.method === 'POST' && req.url?.endsWith('/versions')) {
      res.end(JSON.stringify({ id: 2_000_000_123 }));
    } else if (req.method === 'PUT' && req.url?.startsWith('/prefix/config/')) {
      res.end(body);
    } else {
      res.statusCode = 500;
      res.end('boom');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const schema = { type: 'record' as const, name: 'r', fields: [{ name: 'id', type: 'string' as const }] };

describe('SchemaRegistryClient', () => {
  it('sends basic auth, keeps the path prefix, sets compatibility on subjects it creates and caches ids', async () => {
    requests.length = 0;
    const client = new SchemaRegistryClient({
      url: base,
      auth: { username: 'reg-user', password: 's3cret' },
    });
    expect(await client.register('t-value', schema)).toBe(2_000_000_123);
    expect(await client.register('t-value', schema)).toBe(2_000_000_123);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /prefix/subjects/t-value/versions/latest',
      'POST /prefix/subjects/t-value/versions',
      'PUT /prefix/config/t-value',
    ]);
    expect(JSON.parse(requests[1]?.body ?? '{}')).toEqual({ schema: JSON.stringify(schema) });
    expect(JSON.parse(requests[2]?.body ?? '{}')).toEqual({ compatibility: 'BACKWARD' });
  });

  it('accepts credentials in the URL but never shows them in errors', async () => {
    const url = base.replace('http://', 'http://reg-user:s3cret@');
    const client = new SchemaRegistryClient({ url });
    expect(client.url).toBe(base);
    expect(await client.register('u-value', schema)).toBe(2_000_000_123);
    const wrong = new SchemaRegistryClient({
      url: base,
      auth: { username: 'reg-user', password: 'wrong-password' },
    });
    const error = (await wrong.register('u-value', schema).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: 'REGISTRY' });
    expect(error.message).toBe(
      `schema registry ${base} failed to read the latest schema of subject "u-value": HTTP 401 Unauthorized (error 40101) (check registry.auth username/password)`,
    );
    expect(error.message).not.toContain('wrong-password');
  });

  it('rejects a registry URL that is not a URL', () => {
    expect(() => new SchemaRegistryClient({ url: 'not a url' })).toThrow(
      'registry.url "not a url" is not a URL',
    );
  });
});

describe('SchemaRegistryClient retries', () => {
  /** A registry that answers each request with the next of `answers` (status, headers), then 404s. */
  async function registry(answers: Array<[number, Record<string, string>?]>) {
    let seen = 0;
    const busy = createServer((_req, res) => {
      seen++;
      const [status, headers] = answers.shift() ?? [404];
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error_code: status * 100, message: `status ${status}` }));
    });
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(busy.address() as AddressInfo).port}`;
    return { url, seen: () => seen, close: () => new Promise((resolve) => busy.close(resolve)) };
  }

  /** Records the waits instead of waiting. */
  function fakeClock() {
    const clock = {
      waits: [] as number[],
      now: () => Date.now(),
      sleep: async (ms: number) => void clock.waits.push(ms),
    };
    return clock;
  }

  it("waits the registry's Retry-After after a 503, then succeeds", async () => {
    const r = await registry([[503, { 'retry-after': '7' }]]);
    const clock = fakeClock();
    try {
      const client = new SchemaRegistryClient({ url: r.url, clock });
      expect(await client.latest('v-value')).toBeUndefined();
      expect(r.seen()).toBe(2);
      expect(clock.waits).toEqual([7000]);
    } finally {
      await r.close();
    }
  });

  it('backs off (at most 200 ms, then 400 ms) and hands the third 5xx to the caller', async () => {
    const r = await registry([[500], [502], [503]]);
    const clock = fakeClock();
    try {
      const client = new SchemaRegistryClient({ url: r.url, clock });
      await expect(client.latest('v-value')).rejects.toMatchObject({
        code: 'REGISTRY',
        retriable: true,
        message: expect.stringContaining('HTTP 503 status 503 (error 50300)'),
      });
      expect(r.seen()).toBe(3);
      expect(clock.waits).toHaveLength(2);
      expect(clock.waits[0]).toBeLessThanOrEqual(200);
      expect(clock.waits[1]).toBeLessThanOrEqual(400);
    } finally {
      await r.close();
    }
  });

  it('does not retry a 4xx answer', async () => {
    const r = await registry([[401]]);
    const clock = fakeClock();
    try {
      const client = new SchemaRegistryClient({ url: r.url, clock });
      await expect(client.latest('v-value')).rejects.toMatchObject({ code: 'REGISTRY', retriable: false });
      expect(r.seen()).toBe(1);
      expect(clock.waits).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('says the registry is unreachable after `attempts` network failures', async () => {
    const r = await registry([]);
    await r.close();
    const clock = fakeClock();
    const client = new SchemaRegistryClient({ url: r.url, attempts: 4, clock });
    await expect(client.latest('v-value')).rejects.toMatchObject({
      code: 'REGISTRY',
      retriable: true,
      message: expect.stringMatching(
        /^schema registry http:\/\/127\.0\.0\.1:\d+ unreachable \(GET \/subjects\/v-value\/versions\/latest\): ECONNREFUSED$/,
      ),
    });
    expect(clock.waits).toHaveLength(3);
  });
});

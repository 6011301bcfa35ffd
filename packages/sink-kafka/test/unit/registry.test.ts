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

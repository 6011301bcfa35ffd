import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { apiKeyAuth, bearerAuth, httpBasicAuth } from '../../src/auth/builtin.js';
import type { AuthProvider } from '../../src/contracts.js';
import type { HttpError } from '../../src/errors/http-error.js';
import { ApiClient } from '../../src/http/api-client.js';
import { HttpTransport } from '../../src/http/transport.js';
import { Redaction } from '../../src/redaction.js';
import { Secret } from '../../src/secrets/secret.js';
import { sendJson, startServer, type TestServer } from '../helpers/http-server.js';

const servers: TestServer[] = [];
const transports: HttpTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function echoServer() {
  const s = await startServer((req, res) => sendJson(res, 200, { path: req.url }));
  servers.push(s);
  return s;
}

function transport(redactor = new Redaction()) {
  const t = new HttpTransport({ redactor, retry: { initialDelayMs: 1, maxAttempts: 2 } });
  transports.push(t);
  return t;
}

describe('credentials stay on base_url origin', () => {
  it('sends Authorization and secret headers to base_url only, not to a next link on another host', async () => {
    const api = await echoServer();
    const cdn = await echoServer();
    const client = new ApiClient({
      baseUrl: `${api.url}/v1`,
      transport: transport(),
      allowedHosts: ['127.0.0.1'],
      auth: bearerAuth({ token: new Secret('api_key', 'tok-123456') }),
      headers: {
        'x-org-id': new Secret('org', 'org-999999'),
        'x-trace': 'plain',
        'x-api-key': 'literal-key',
      },
    });
    await client.request({ method: 'GET', url: client.resolveUrl('/items') });
    await client.request({ method: 'GET', url: `${cdn.url}/items?page=2` });

    expect(api.requests[0]).toMatchObject({ url: '/v1/items' });
    expect(api.requests[0]!.headers).toMatchObject({
      authorization: 'Bearer tok-123456',
      'x-org-id': 'org-999999',
      'x-api-key': 'literal-key',
      'x-trace': 'plain',
    });
    const foreign = cdn.requests[0]!.headers;
    expect(foreign.authorization).toBeUndefined();
    expect(foreign['x-org-id']).toBeUndefined();
    expect(foreign['x-api-key']).toBeUndefined();
    expect(foreign['x-trace']).toBe('plain');
  });

  it('treats another port on the same host as another origin', async () => {
    const api = await echoServer();
    const other = await echoServer();
    const client = new ApiClient({
      baseUrl: api.url,
      transport: transport(),
      allowedHosts: ['127.0.0.1'],
      auth: apiKeyAuth({ name: 'api_key', api_key: 'k-0000000', location: 'query' }),
    });
    await client.request({ method: 'GET', url: `${other.url}/x` });
    expect(other.requests[0]!.url).toBe('/x');
  });
});

describe('redirects', () => {
  it('follows a redirect to another origin without the credentials', async () => {
    const other = await echoServer();
    const api = await startServer((_q, res) => {
      res.writeHead(302, { location: `${other.url}/moved?page=2` });
      res.end();
    });
    servers.push(api);
    const client = new ApiClient({
      baseUrl: api.url,
      transport: transport(),
      allowedHosts: ['127.0.0.1'],
      auth: bearerAuth({ token: 'tok-123456' }),
      headers: { 'x-api-key': new Secret('k', 'key-000000'), 'x-trace': 'plain' },
    });
    const result = await client.request({ method: 'GET', url: `${api.url}/items` });
    expect(result).toMatchObject({
      ignored: false,
      url: `${other.url}/moved?page=2`,
      body: { path: '/moved?page=2' },
    });
    expect(api.requests[0]!.headers).toMatchObject({
      authorization: 'Bearer tok-123456',
      'x-api-key': 'key-000000',
    });
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    expect(other.requests[0]!.headers['x-api-key']).toBeUndefined();
    expect(other.requests[0]!.headers['x-trace']).toBe('plain');
  });

  it('stops after 5 redirects', async () => {
    const api = await startServer((req, res) => {
      res.writeHead(307, { location: `${req.url}x` });
      res.end();
    });
    servers.push(api);
    const client = new ApiClient({ baseUrl: api.url, transport: transport() });
    await expect(client.request({ method: 'GET', url: `${api.url}/a` })).rejects.toThrow(
      `GET ${api.url}/axxxxx: more than 5 redirects`,
    );
    expect(api.requests).toHaveLength(6);
  });
});

describe('auth', () => {
  it('puts an api_key in the query and http_basic in the header', async () => {
    const api = await echoServer();
    const t = transport();
    const q = new ApiClient({
      baseUrl: api.url,
      transport: t,
      auth: apiKeyAuth({ name: 'api_key', api_key: 'k-1', location: 'query' }),
    });
    await q.request({ method: 'GET', url: `${api.url}/a`, params: { page: '1' } });
    const basic = new ApiClient({
      baseUrl: api.url,
      transport: t,
      auth: httpBasicAuth({ username: 'u', password: 'p' }),
    });
    await basic.request({ method: 'GET', url: `${api.url}/b` });
    expect(api.requests[0]!.url).toBe('/a?page=1&api_key=k-1');
    expect(api.requests[1]!.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('asks the auth for fresh credentials once after a 401', async () => {
    const api = await startServer((req, res) =>
      req.headers.authorization === 'Bearer new'
        ? sendJson(res, 200, { ok: true })
        : sendJson(res, 401, { code: 57, message: 'expired' }),
    );
    servers.push(api);
    let token = 'old';
    const calls: number[] = [];
    const auth: AuthProvider = {
      apply: async ({ headers }) => headers.set('authorization', `Bearer ${token}`),
      onUnauthorized: async ({ status }) => {
        calls.push(status);
        token = 'new';
        return true;
      },
      describe: () => 'test',
    };
    const client = new ApiClient({ baseUrl: api.url, transport: transport(), auth });
    expect(await client.request({ method: 'GET', url: api.url })).toMatchObject({ body: { ok: true } });
    expect(calls).toEqual([401]);
    expect(api.requests).toHaveLength(2);
  });

  it('fails with UNAUTHORIZED when the refreshed credentials are refused too', async () => {
    const api = await startServer((_q, res) => sendJson(res, 401, { code: 57, message: 'invalid token' }));
    servers.push(api);
    const auth: AuthProvider = {
      apply: async ({ headers }) => headers.set('authorization', 'Bearer x'),
      onUnauthorized: async () => true,
      describe: () => 'test',
    };
    const client = new ApiClient({ baseUrl: api.url, transport: transport(), auth });
    const error = (await client
      .request({ method: 'GET', url: api.url, resource: 'invoices' })
      .catch((e: unknown) => e)) as HttpError;
    expect(api.requests).toHaveLength(2);
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toMatch(/^resource "invoices": GET .*: HTTP 401 Unauthorized; body starts: /);
  });
});

describe('errors leak no secret', () => {
  it('redacts secrets in the query string, the body excerpt and serialised forms', async () => {
    const secretValue = 'sk_live_abcdef123456';
    const api = await startServer((_q, res) =>
      sendJson(res, 403, { message: `key ${secretValue} is revoked` }),
    );
    servers.push(api);
    const redactor = new Redaction().add(secretValue);
    const client = new ApiClient({
      baseUrl: api.url,
      transport: transport(redactor),
      auth: apiKeyAuth({ name: 'x', api_key: new Secret('k', secretValue), location: 'query' }),
    });
    const error = (await client
      .request({ method: 'GET', url: `${api.url}/a`, params: { access_token: 'tok-zzzzzz', page: '2' } })
      .catch((e: unknown) => e)) as HttpError;
    expect(error.message).toContain('access_token=[redacted]');
    expect(error.message).toContain('x=[redacted]');
    expect(error.message).toContain('page=2');
    expect(error.message).toContain('key [redacted] is revoked');
    for (const text of [
      error.message,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      String(error.stack),
    ]) {
      expect(text).not.toContain(secretValue);
      expect(text).not.toContain('tok-zzzzzz');
    }
  });
});

describe('response_actions hook', () => {
  it('returns ignored for a matching status without throwing', async () => {
    const api = await startServer((_q, res) => sendJson(res, 404, { error: 'Not Found' }));
    servers.push(api);
    const client = new ApiClient({ baseUrl: api.url, transport: transport() });
    const result = await client.request({ method: 'GET', url: api.url, ignore: (status) => status === 404 });
    expect(result).toMatchObject({ ignored: true, status: 404 });
  });

  it('can ignore by body content', async () => {
    const api = await startServer((_q, res) => sendJson(res, 200, { error: 'no usage for this period' }));
    servers.push(api);
    const client = new ApiClient({ baseUrl: api.url, transport: transport() });
    const result = await client.request({
      method: 'GET',
      url: api.url,
      ignore: (_s, text) => text.includes('no usage'),
    });
    expect(result.ignored).toBe(true);
  });
});

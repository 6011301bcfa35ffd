import { afterEach, describe, expect, it } from 'vitest';
import { createRetryingFetch } from '../../src/http/retrying-fetch.js';
import { HttpTransport } from '../../src/http/transport.js';
import { sendJson, startServer, type TestServer } from '../helpers/http-server.js';

const servers: TestServer[] = [];
const transports: HttpTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('createRetryingFetch', () => {
  it('retries a form POST on 503 and returns a standard Response', async () => {
    const s = await startServer((_q, res, _b, i) =>
      i < 2 ? sendJson(res, 503, {}) : sendJson(res, 200, { access_token: 'abc', expires_in: 3600 }),
    );
    servers.push(s);
    const transport = new HttpTransport({ retry: { initialDelayMs: 1 } });
    transports.push(transport);
    const fetch = createRetryingFetch({ transport });
    const response = await fetch(`${s.url}/oauth/v2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r' }),
    });
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${s.url}/oauth/v2/token`);
    expect(await response.json()).toEqual({ access_token: 'abc', expires_in: 3600 });
    expect(s.requests).toHaveLength(3);
    for (const r of s.requests) {
      expect(r.body).toBe('grant_type=refresh_token&refresh_token=r');
      expect(r.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    }
  });

  it('returns the last retryable response when attempts run out, like fetch', async () => {
    const s = await startServer((_q, res) => sendJson(res, 502, { error: 'bad gateway' }));
    servers.push(s);
    const fetch = createRetryingFetch({ retry: { maxAttempts: 2, initialDelayMs: 1 } });
    const response = await fetch(s.url);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'bad gateway' });
    expect(s.requests).toHaveLength(2);
  });

  it('does not retry a 400 from a token endpoint', async () => {
    const s = await startServer((_q, res) => sendJson(res, 400, { error: 'invalid_grant' }));
    servers.push(s);
    const fetch = createRetryingFetch({ retry: { initialDelayMs: 1 } });
    const response = await fetch(new Request(s.url, { method: 'POST', body: 'x=1' }));
    expect(response.status).toBe(400);
    expect(s.requests).toHaveLength(1);
  });
});

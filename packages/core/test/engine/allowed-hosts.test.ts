import { describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../src/config/types.js';
import type { Page } from '../../src/contracts.js';
import type { RestApiSource } from '../../src/engine/source.js';
import { engineFixture, itemsConfig } from '../helpers/engine-fixture.js';
import { sendJson } from '../helpers/http-server.js';

/** Issue 14, item 5: next links and redirects stay on the API's origin; responses have a size limit. */
const { api, source } = engineFixture();

function linkSource(baseUrl: string, client: Partial<ClientConfig> = {}) {
  return source(
    itemsConfig(baseUrl, { client, endpoint: { paginator: { type: 'json_link', next_url_path: 'next' } } }),
    {
      retry: { initialDelayMs: 1, maxAttempts: 2 },
    },
  );
}

async function read(source: RestApiSource): Promise<{ pages: Page[]; error: Error | undefined }> {
  const pages: Page[] = [];
  try {
    for await (const page of source.resources[0]!.read()) pages.push(page);
    return { pages, error: undefined };
  } catch (error) {
    return { pages, error: error as Error };
  }
}

describe('where the engine may go', () => {
  it('refuses a next link to another host unless it is listed in allowed_hosts, naming the link', async () => {
    const other = await api({
      '/page2': (_q, res) => sendJson(res, 200, { items: [{ id: 'x' }], next: null }),
    });
    const main = await api({
      '/items': (_q, res) =>
        sendJson(res, 200, { items: [{ id: 'a' }], next: `${other.url}/page2?token=abc123` }),
    });
    const refused = await read(linkSource(main.url));
    expect(refused.pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['a']);
    expect(refused.error?.message).toContain(`${other.url}/page2?token=[redacted]`);
    expect(refused.error?.message).toContain(`list "${new URL(other.url).host}" in client.allowed_hosts`);
    expect((refused.error as { code?: string }).code).toBe('HOST_NOT_ALLOWED');
    expect(other.requests).toHaveLength(0);

    const allowed = await read(linkSource(main.url, { allowed_hosts: [new URL(other.url).host] }));
    expect(allowed.error).toBeUndefined();
    expect(allowed.pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['a', 'x']);
  });

  it('never follows a file:// link, even when the host list is permissive', async () => {
    const main = await api({
      '/items': (_q, res) => sendJson(res, 200, { items: [{ id: 'a' }], next: 'file:///etc/passwd' }),
    });
    const { error } = await read(linkSource(main.url, { allowed_hosts: ['localhost'] }));
    expect(error?.message).toContain('file:///etc/passwd');
    expect(error?.message).toContain('not an http(s) URL');
  });

  it('refuses a redirect to another host, naming both URLs', async () => {
    const other = await api({ '/elsewhere': (_q, res) => sendJson(res, 200, { items: [{ id: 'x' }] }) });
    const main = await api({
      '/items': (_q, res) => {
        res.writeHead(302, { location: `${other.url}/elsewhere` });
        res.end();
      },
    });
    const { error } = await read(linkSource(main.url));
    expect(error?.message).toContain(`redirect from ${main.url}/items refused`);
    expect(error?.message).toContain(`${other.url}/elsewhere`);
    expect(other.requests).toHaveLength(0);
  });

  it('refuses a response larger than max_response_bytes, naming the URL and the limit, without retrying', async () => {
    const big = JSON.stringify({
      items: Array.from({ length: 2000 }, (_, i) => ({ id: String(i), pad: 'x'.repeat(100) })),
    });
    let served = 0;
    const main = await api({
      '/items': (_q, res) => {
        served++;
        // Chunked, with no Content-Length: the limit must hold while reading.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(big.slice(0, 1000));
        res.end(big.slice(1000));
      },
    });
    const { error } = await read(linkSource(main.url, { max_response_bytes: 100_000 }));
    expect(error?.message).toContain(`GET ${main.url}/items`);
    expect(error?.message).toContain('larger than the limit of 100000 bytes');
    expect((error as { code?: string }).code).toBe('RESPONSE_TOO_LARGE');
    expect(served).toBe(1);

    const ok = await read(linkSource(main.url, { max_response_bytes: big.length }));
    expect(ok.error).toBeUndefined();
    expect(ok.pages[0]?.records).toHaveLength(2000);
  });

  it('names a bad allowed_hosts entry', () => {
    expect(() => linkSource('https://api.test', { allowed_hosts: ['https://cdn.test/path'] })).toThrow(
      /client\.allowed_hosts\[0\]: expected a host/,
    );
  });
});

import { manualClock } from '@siphon/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/errors/http-error.js';
import { createEventBus, type ExtractEvent } from '../../src/events.js';
import { ApiClient } from '../../src/http/api-client.js';
import { HostLimiter } from '../../src/http/host-limiter.js';
import { HttpTransport, type TransportOptions } from '../../src/http/transport.js';
import { sendJson, startServer, type TestServer } from '../helpers/http-server.js';

const servers: TestServer[] = [];
const transports: HttpTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Parameters<typeof startServer>[0], now?: () => number) {
  const s = await startServer(handler, now);
  servers.push(s);
  return s;
}

function setup(options: TransportOptions = {}) {
  const events = createEventBus();
  const seen: ExtractEvent[] = [];
  events.onAny((e) => seen.push(e));
  const transport = new HttpTransport({
    events,
    retry: { initialDelayMs: 5, maxDelayMs: 5_000, ...options.retry },
    ...options,
  });
  transports.push(transport);
  const get = (url: string) => new ApiClient({ baseUrl: url, transport }).request({ method: 'GET', url });
  return { transport, seen, get };
}

/** Fails the first `times` requests with `fail`, then answers `{ ok: true }`. */
function failing(times: number, fail: Parameters<typeof startServer>[0], now?: () => number) {
  return server((req, res, body, index) => {
    if (index < times) fail(req, res, body, index);
    else sendJson(res, 200, { ok: true });
  }, now);
}

const retries = (seen: ExtractEvent[]) => seen.filter((e) => e.type === 'http.retry');

describe('retry rules', () => {
  // The waits the server asks for run on a manual clock, which the transport and the test server
  // share: the second request arrives a clock second after the first, with no real second spent.
  it('waits the Retry-After seconds of a 429 and pauses the host', async () => {
    const clock = manualClock();
    const s = await failing(
      1,
      (_q, res) => sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' }),
      clock.now,
    );
    const { get, seen } = setup({ clock });
    const result = await get(s.url);
    expect(result).toMatchObject({ ignored: false, body: { ok: true } });
    expect(retries(seen)).toEqual([
      expect.objectContaining({ attempt: 1, reason: 'HTTP 429', delayMs: 1000 }),
    ]);
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'http.rate_limited', source: 'server', waitMs: 1000 }),
    );
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it('waits until the HTTP-date of a Retry-After', async () => {
    const clock = manualClock();
    const date = new Date(clock.now() + 2000).toUTCString();
    const s = await failing(1, (_q, res) => sendJson(res, 429, {}, { 'retry-after': date }));
    const { get, seen } = setup({ clock });
    await get(s.url);
    const delay = (retries(seen)[0] as { delayMs: number }).delayMs;
    // HTTP-dates have one-second resolution.
    expect(delay).toBeGreaterThan(900);
    expect(delay).toBeLessThanOrEqual(2000);
  });

  it.each([
    ['seconds until reset', () => '1', 1000, 1000],
    ['epoch seconds', (now: number) => String(Math.ceil(now / 1000) + 1), 1, 2000],
    ['epoch milliseconds', (now: number) => String(now + 800), 700, 800],
  ])('honours X-RateLimit-Reset as %s', async (_name, value, min, max) => {
    const clock = manualClock();
    const s = await failing(1, (_q, res) =>
      sendJson(res, 429, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': value(clock.now()) }),
    );
    const { get, seen } = setup({ clock });
    await get(s.url);
    const delay = (retries(seen)[0] as { delayMs: number }).delayMs;
    expect(delay).toBeGreaterThanOrEqual(min);
    expect(delay).toBeLessThanOrEqual(max);
  });

  it.each([500, 502, 503, 504])('retries HTTP %i with backoff', async (status) => {
    const s = await failing(2, (_q, res) => sendJson(res, status, { error: 'oops' }));
    const { get, seen } = setup();
    expect(await get(s.url)).toMatchObject({ body: { ok: true } });
    expect(s.requests).toHaveLength(3);
    expect(retries(seen).map((e) => (e as { reason: string }).reason)).toEqual([
      `HTTP ${status}`,
      `HTTP ${status}`,
    ]);
  });

  it('backs off with full jitter bounded by initial delay * 2^(n-1)', async () => {
    const s = await failing(3, (_q, res) => sendJson(res, 503, {}));
    const { get, seen } = setup({ random: () => 0.999999, retry: { initialDelayMs: 20 } });
    await get(s.url);
    expect(retries(seen).map((e) => (e as { delayMs: number }).delayMs)).toEqual([20, 40, 80]);
  });

  it('retries a connection reset', async () => {
    const s = await failing(1, (req) => req.socket.destroy());
    const { get, seen } = setup();
    expect(await get(s.url)).toMatchObject({ body: { ok: true } });
    expect((retries(seen)[0] as { reason: string }).reason).toMatch(/socket closed|connection reset/);
  });

  it('retries a request that times out', async () => {
    const s = await failing(1, (_q, res) => setTimeout(() => sendJson(res, 200, { late: true }), 1500));
    const { get, seen } = setup({ timeoutMs: 200 });
    expect(await get(s.url)).toMatchObject({ body: { ok: true } });
    expect((retries(seen)[0] as { reason: string }).reason).toBe('timeout after 0.2 s');
  });

  it('retries a body cut short', async () => {
    const s = await failing(1, (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"items":[1,2,');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const { get, seen } = setup();
    expect(await get(s.url)).toMatchObject({ body: { ok: true } });
    expect((retries(seen)[0] as { reason: string }).reason).toMatch(/truncated|socket closed|terminated/);
  });

  it('retries an HTML page served with 200, then says what it got', async () => {
    const s = await server((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway (proxy)</body></html>');
    });
    const { get } = setup({ retry: { maxAttempts: 2, initialDelayMs: 1 } });
    const error = await get(s.url).catch((e: unknown) => e);
    expect(HttpError.isInstance(error)).toBe(true);
    expect((error as HttpError).code).toBe('RESPONSE_NOT_JSON');
    expect((error as Error).message).toBe(
      `GET ${s.url}/: giving up: expected a JSON body but got text/html (HTTP 200) (after 2 attempts); ` +
        'body starts: <html><body>Bad gateway (proxy)</body></html>',
    );
  });

  it('gives up after max attempts with a clear error', async () => {
    const s = await server((_q, res) => sendJson(res, 503, { message: 'maintenance' }));
    const { get } = setup({ retry: { maxAttempts: 3, initialDelayMs: 1 } });
    const error = (await get(`${s.url}/items?page=2`).catch((e: unknown) => e)) as HttpError;
    expect(s.requests).toHaveLength(3);
    expect(error.code).toBe('RETRIES_EXHAUSTED');
    expect(error.status).toBe(503);
    expect(error.message).toBe(
      `GET ${s.url}/items?page=2: giving up: HTTP 503 (after 3 attempts); body starts: {"message":"maintenance"}`,
    );
  });

  it('defaults to 5 attempts like dlt', async () => {
    const s = await server((_q, res) => sendJson(res, 500, {}));
    const { get } = setup({ retry: { initialDelayMs: 1 } });
    await expect(get(s.url)).rejects.toThrow(/after 5 attempts/);
    expect(s.requests).toHaveLength(5);
  });

  it.each([400, 403, 404, 422])('does not retry HTTP %i', async (status) => {
    const s = await server((_q, res) => sendJson(res, status, { code: 4, message: 'bad' }));
    const { get, seen } = setup();
    const error = (await get(s.url).catch((e: unknown) => e)) as HttpError;
    expect(s.requests).toHaveLength(1);
    expect(retries(seen)).toEqual([]);
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.message).toMatch(
      new RegExp(`^GET ${s.url}/: HTTP ${status} .*; body starts: \\{"code":4,"message":"bad"\\}$`),
    );
  });

  it('caps a server-requested wait at maxDelayMs', async () => {
    const s = await failing(1, (_q, res) => sendJson(res, 429, {}, { 'retry-after': '3600' }));
    const { get, seen } = setup({ retry: { maxDelayMs: 50 } });
    await get(s.url);
    expect((retries(seen)[0] as { delayMs: number }).delayMs).toBe(50);
  });

  it('stops retrying when the caller aborts', async () => {
    const s = await server((_q, res) => sendJson(res, 503, {}));
    const { transport } = setup({ retry: { initialDelayMs: 10_000 } });
    const controller = new AbortController();
    const pending = transport.send({ method: 'GET', url: s.url, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await expect(pending).rejects.toThrow('stop');
    expect(s.requests).toHaveLength(1);
  });
});

describe('per-host limits', () => {
  it('never runs more than maxConcurrency requests at once', async () => {
    const s = await server((_q, res) => setTimeout(() => sendJson(res, 200, {}), 50));
    const { get } = setup({ limits: { maxConcurrency: 2 } });
    await Promise.all(Array.from({ length: 6 }, () => get(s.url)));
    expect(s.maxInFlight).toBe(2);
  });

  it('keeps to the request budget (sliding window)', async () => {
    const s = await server((_q, res) => sendJson(res, 200, {}));
    const { get, seen } = setup({
      limits: { rateLimit: { requests: 2, intervalMs: 300 } },
      clock: manualClock(),
    });
    await Promise.all(Array.from({ length: 6 }, () => get(s.url)));
    expect(s.requests).toHaveLength(6);
    expect(seen.some((e) => e.type === 'http.rate_limited' && e.source === 'budget')).toBe(true);
  });

  it('starts no three requests to a host within one budget window', async () => {
    // Measured where the budget applies, when each request starts, on the limiter's own clock.
    const clock = manualClock();
    const limiter = new HostLimiter({ rateLimit: { requests: 2, intervalMs: 300 } }, undefined, clock);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () => limiter.schedule('api.test', async () => starts.push(clock.now()))),
    );
    starts.sort((a, b) => a - b);
    expect(starts).toHaveLength(6);
    for (let i = 2; i < starts.length; i++) expect(starts[i]! - starts[i - 2]!).toBeGreaterThanOrEqual(300);
  });

  it('lets the requests behind one aborted while the host was paused through, after the pause', async () => {
    const clock = manualClock();
    const limiter = new HostLimiter({}, undefined, clock);
    const pausedAt = clock.now();
    limiter.pause('api.test', 5_000);
    const first = limiter.schedule('api.test', async () => clock.now());
    const controller = new AbortController();
    const aborted = limiter.schedule('api.test', async () => 'never', controller.signal);
    const last = limiter.schedule('api.test', async () => clock.now());
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(await first).toBeGreaterThanOrEqual(pausedAt + 5_000);
    expect(await last).toBeGreaterThanOrEqual(pausedAt + 5_000);
  });

  it('pauses when a successful response says the budget is spent', async () => {
    const clock = manualClock();
    const s = await server(
      (_q, res, _b, i) =>
        sendJson(res, 200, {}, i === 0 ? { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' } : {}),
      clock.now,
    );
    const { get, seen } = setup({ clock });
    await get(s.url);
    await get(s.url);
    expect(seen).toContainEqual(
      expect.objectContaining({ type: 'http.rate_limited', source: 'server', waitMs: 1000 }),
    );
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(1000);
  });
});

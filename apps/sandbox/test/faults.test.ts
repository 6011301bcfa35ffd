import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Fault, type Sandbox, startSandbox } from '../src/index.js';
import {
  type AnalyticsPage,
  accessToken,
  analyticsGet,
  type BillingPage,
  billingGet,
  collect,
  type Json,
  manualClock,
} from './helpers.js';

let sandbox: Sandbox;
let token: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 9, size: 35 });
  token = await accessToken(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.setFaults([]));

describe('status faults', () => {
  it.each([500, 502, 503, 504])('billing answers %i with a {code, message} body', async (status) => {
    sandbox.setFaults([{ api: 'billing', path: '/invoices', kind: 'status', status, count: 1 }]);
    const failed = await billingGet(sandbox, '/invoices', token);
    expect(failed.status).toBe(status);
    const body = (await failed.json()) as Json;
    expect(body.code).not.toBe(0);
    expect(typeof body.message).toBe('string');
    expect((await billingGet(sandbox, '/invoices', token)).status).toBe(200);
  });

  it.each([500, 502, 503, 504])('analytics answers %i with a {status, error} body', async (status) => {
    sandbox.setFaults([{ api: 'analytics', kind: 'status', status, count: 1 }]);
    const failed = await analyticsGet(sandbox, '/v1/plans');
    expect(failed.status).toBe(status);
    expect(((await failed.json()) as Json).status).toBe(status);
  });

  it('only hits the routes it names (string and RegExp) and the API it names', async () => {
    sandbox.setFaults([
      { api: 'billing', path: /^\/settings\//, kind: 'status', status: 503 },
      { api: 'analytics', path: '/v1/fees', kind: 'status', status: 500 },
    ]);
    expect((await billingGet(sandbox, '/settings/taxes', token)).status).toBe(503);
    expect((await billingGet(sandbox, '/invoices', token)).status).toBe(200);
    expect((await analyticsGet(sandbox, '/v1/fees')).status).toBe(500);
    expect((await analyticsGet(sandbox, '/v1/plans')).status).toBe(200);
  });

  it('hits the token endpoint when aimed at the accounts origin', async () => {
    sandbox.setFaults([{ api: 'accounts', kind: 'status', status: 503, count: 1 }]);
    const params = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: sandbox.credentials.clientId,
      client_secret: sandbox.credentials.clientSecret,
      refresh_token: sandbox.credentials.refreshToken,
    });
    expect((await fetch(sandbox.tokenUrl, { method: 'POST', body: params })).status).toBe(503);
    expect((await fetch(sandbox.tokenUrl, { method: 'POST', body: params })).status).toBe(200);
  });
});

describe('429 with Retry-After', () => {
  it('sends Retry-After in seconds with X-RateLimit-* headers', async () => {
    sandbox.setFaults([{ kind: 'retry_after_seconds', retryAfterSeconds: 7, count: 1 }]);
    const response = await analyticsGet(sandbox, '/v1/plans');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(response.headers.get('x-ratelimit-limit')).toMatch(/^\d+$/);
    expect(response.headers.get('x-ratelimit-reset')).toBe('7');
    expect(await response.json()).toEqual({ status: 429, error: 'Too Many Requests' });
  });

  it('sends Retry-After as an HTTP-date', async () => {
    sandbox.setFaults([{ kind: 'retry_after_date', retryAfterSeconds: 30, count: 1 }]);
    const before = Date.now();
    const response = await billingGet(sandbox, '/invoices', token);
    expect(response.status).toBe(429);
    const header = response.headers.get('retry-after')!;
    expect(header).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const at = Date.parse(header);
    expect(at).toBeGreaterThan(before + 25_000);
    expect(at).toBeLessThan(before + 35_000);
    expect(((await response.json()) as Json).code).not.toBe(0);
  });

  it('dates Retry-After by its own clock (the `now` option)', async () => {
    // A whole second, far from the real time: the date can only come from this clock.
    const clock = manualClock(Date.UTC(2031, 0, 2, 3, 4, 5));
    const clocked = await startSandbox({ size: 1, now: clock.now });
    try {
      const clockedToken = await accessToken(clocked);
      clocked.setFaults([{ kind: 'retry_after_date', retryAfterSeconds: 30, count: 1 }]);
      const response = await billingGet(clocked, '/invoices', clockedToken);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('Thu, 02 Jan 2031 03:04:35 GMT');
    } finally {
      await clocked.close();
    }
  });
});

describe('broken deliveries', () => {
  it('reset: sends headers and part of the body, then cuts the connection', async () => {
    sandbox.setFaults([{ path: '/invoices', kind: 'reset', count: 1 }]);
    sandbox.resetStats();
    const response = await billingGet(sandbox, '/invoices', token);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(sandbox.stats().byStatus.reset).toBe(1);
    expect((await billingGet(sandbox, '/invoices', token)).status).toBe(200);
  });

  it('slow: holds the answer past a client timeout', async () => {
    sandbox.setFaults([{ path: '/v1/plans', kind: 'slow', delayMs: 5000, count: 1 }]);
    await expect(
      fetch(`${sandbox.analyticsUrl}/v1/plans`, {
        headers: { authorization: `Bearer ${sandbox.credentials.apiKey}` },
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow(/timeout|aborted/i);
    expect((await analyticsGet(sandbox, '/v1/plans')).status).toBe(200);
  });

  it('malformed_json: a 200 whose JSON does not parse', async () => {
    sandbox.setFaults([{ kind: 'malformed_json', count: 1 }]);
    const response = await analyticsGet(sandbox, '/v1/plans');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/json/);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('html_200: an HTML error page with status 200', async () => {
    sandbox.setFaults([{ kind: 'html_200', count: 1 }]);
    const response = await billingGet(sandbox, '/invoices', token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/<html>.*502 Bad Gateway/s);
  });

  it('latencyMs delays every API answer', async () => {
    const slow = await startSandbox({ size: 1, latencyMs: 2000 });
    try {
      await expect(
        fetch(`${slow.analyticsUrl}/v1/plans`, {
          headers: { authorization: `Bearer ${slow.credentials.apiKey}` },
          signal: AbortSignal.timeout(100),
        }),
      ).rejects.toThrow();
    } finally {
      await slow.close();
    }
  });
});

describe('pagination faults', () => {
  it('empty_page (billing): an empty page in the middle while later pages have data', async () => {
    sandbox.setFaults([{ path: '/invoices', kind: 'empty_page', afterRequests: 1, count: 1 }]);
    const pages: BillingPage[] = [];
    for (let page = 1; page <= 4; page++) {
      pages.push(
        (await (
          await billingGet(sandbox, `/invoices?page=${page}&per_page=10`, token)
        ).json()) as BillingPage,
      );
    }
    expect(pages.map((p) => (p.invoices as Json[]).length)).toEqual([10, 0, 10, 5]);
    expect(pages[1]!.page_context.has_more_page).toBe(true);
  });

  it('empty_page (analytics): next_page still points on', async () => {
    sandbox.setFaults([{ path: '/v1/fees', kind: 'empty_page', afterRequests: 1, count: 1 }]);
    await analyticsGet(sandbox, '/v1/fees?per_page=10');
    const middle = (await (
      await analyticsGet(sandbox, '/v1/fees?per_page=10&page=2')
    ).json()) as AnalyticsPage;
    expect(middle.fees).toEqual([]);
    expect(middle.meta.next_page).toBe(3);
    const later = (await (
      await analyticsGet(sandbox, '/v1/fees?per_page=10&page=3')
    ).json()) as AnalyticsPage;
    expect(later.fees).toHaveLength(10);
  });

  it('repeat_cursor (analytics): next_page never advances', async () => {
    sandbox.setFaults([{ path: '/v1/wallets', kind: 'repeat_cursor' }]);
    for (const page of [1, 1, 1]) {
      const body = (await (
        await analyticsGet(sandbox, `/v1/wallets?page=${page}&per_page=10`)
      ).json()) as AnalyticsPage;
      expect(body.meta.next_page).toBe(body.meta.current_page);
    }
    const last = (await (
      await analyticsGet(sandbox, '/v1/wallets?page=4&per_page=10')
    ).json()) as AnalyticsPage;
    expect(last.meta.next_page).toBe(4);
  });

  it('repeat_cursor (billing): every page is page 1 and has_more_page stays true', async () => {
    sandbox.setFaults([{ path: '/customers', kind: 'repeat_cursor' }]);
    const first = (await (
      await billingGet(sandbox, '/customers?page=1&per_page=10', token)
    ).json()) as BillingPage;
    const tenth = (await (
      await billingGet(sandbox, '/customers?page=10&per_page=10', token)
    ).json()) as BillingPage;
    expect(tenth.customers).toEqual(first.customers);
    expect(tenth.page_context.has_more_page).toBe(true);
  });

  it('shift_records: records inserted at the head between requests push the last record of page 1 onto page 2', async () => {
    const fresh = await startSandbox({ seed: 9, size: 35 });
    try {
      fresh.setFaults([
        { api: 'analytics', path: '/v1/invoices', kind: 'shift_records', afterRequests: 1, count: 1 },
      ]);
      const one = (await (await analyticsGet(fresh, '/v1/invoices?per_page=10')).json()) as AnalyticsPage;
      const two = (await (
        await analyticsGet(fresh, '/v1/invoices?per_page=10&page=2')
      ).json()) as AnalyticsPage;
      const firstPage = one.invoices as Json[];
      const secondPage = two.invoices as Json[];
      expect(secondPage[0]!.id).toBe(firstPage[9]!.id);
      expect(two.meta.total_count).toBe(36);
      const truth = await collect(fresh.groundTruth('analytics', 'invoices'));
      expect(truth).toHaveLength(36);
      expect(firstPage.some((r) => r.id === truth[0]!.id)).toBe(false);
    } finally {
      await fresh.close();
    }
  });
});

describe('when faults fire', () => {
  async function statuses(seed: number, faults: Fault[], n: number): Promise<number[]> {
    const s = await startSandbox({ seed, size: 2, faults });
    try {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await analyticsGet(s, '/v1/plans')).status);
      return out;
    } finally {
      await s.close();
    }
  }

  it('probability: a seeded die, the same sequence for the same seed', async () => {
    const rule: Fault[] = [{ kind: 'status', status: 503, probability: 0.5 }];
    const a = await statuses(1, rule, 40);
    const b = await statuses(1, rule, 40);
    const c = await statuses(2, rule, 40);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const failures = a.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('afterRequests then count: skips the first N, then fires M times', async () => {
    const result = await statuses(1, [{ kind: 'status', status: 500, afterRequests: 2, count: 3 }], 7);
    expect(result).toEqual([200, 200, 500, 500, 500, 200, 200]);
  });

  it('setFaults replaces the rules at runtime', async () => {
    sandbox.setFaults([{ kind: 'status', status: 502 }]);
    expect((await analyticsGet(sandbox, '/v1/plans')).status).toBe(502);
    sandbox.setFaults([]);
    expect((await analyticsGet(sandbox, '/v1/plans')).status).toBe(200);
  });

  it('rejects a bad rule with a message naming it', () => {
    expect(() => sandbox.setFaults([{ kind: 'explode' } as unknown as Fault])).toThrow(
      /faults\[0\]\.kind: expected one of status/,
    );
    expect(() => sandbox.setFaults([{ kind: 'status' }])).toThrow(/faults\[0\]\.status/);
    expect(() => sandbox.setFaults([{ kind: 'slow', probability: 2 }])).toThrow(/probability/);
  });
});

describe('a real rate limit', () => {
  it('answers 429 past N requests per window, with X-RateLimit-* headers, then recovers', async () => {
    const clock = manualClock();
    const limited = await startSandbox({
      size: 1,
      rateLimit: { requests: 3, windowSeconds: 1 },
      now: clock.now,
    });
    try {
      const limitedToken = await accessToken(limited);
      for (let i = 0; i < 3; i++) {
        const ok = await analyticsGet(limited, '/v1/plans');
        expect(ok.status).toBe(200);
        expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
      }
      const refused = await analyticsGet(limited, '/v1/plans');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
      expect(await refused.json()).toEqual({ status: 429, error: 'Too Many Requests' });
      // Each API origin has its own window; billing adds Retry-After.
      for (let i = 0; i < 3; i++)
        expect((await billingGet(limited, '/plans', limitedToken)).status).toBe(200);
      const billingRefused = await billingGet(limited, '/plans', limitedToken);
      expect(billingRefused.status).toBe(429);
      expect(billingRefused.headers.get('retry-after')).toMatch(/^\d+$/);
      clock.advance(1_050);
      expect((await analyticsGet(limited, '/v1/plans')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

import {
  type AuthFactory,
  dlt,
  isEventIn,
  type JsonRecord,
  restApiSource,
  type SiphonEvent,
  staticSecrets,
} from '@siphon/core';
import {
  type ManualClock as Clock,
  digestRecords,
  manualClock,
  type Sandbox,
  startSandbox,
} from '@siphon/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { createOAuth2AuthFactory, oauth2Auth, oauth2LogEntry } from '../src/index.js';

// 16 pages of 200 (the last one short) at 350 ms each: over 5 s, so 2-second tokens expire
// at least twice mid-run (and are refreshed ahead of expiry about every second). The 350 ms pass
// on a clock the sandbox and the token cache share, moved on as each page arrives: the run takes
// no real time, and a loaded machine cannot shift an expiry from one page to another.
const INVOICES = 3_100;
const PAGE_MS = 350;

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** The billing seed's client and invoices resource, as written, with the sandbox's token URL. */
function billingConfig(tokenUrl: string) {
  return {
    client: {
      base_url: 'https://api.example.com',
      auth: {
        type: 'oauth2',
        client_id: dlt.secrets.client_id,
        client_secret: dlt.secrets.client_secret,
        refresh_token: dlt.secrets.refresh_token,
        token_url: tokenUrl,
        allow_insecure_http: true,
      },
    },
    resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
    resources: [
      {
        name: 'invoices',
        endpoint: {
          path: '/invoices',
          data_selector: 'invoices',
          paginator: { type: 'page_number', page_param: 'page', limit_param: 'per_page', limit: 200 },
        },
      },
    ],
  };
}

async function extractInvoices(sb: Sandbox, clock: Clock, authFactory: AuthFactory = oauth2Auth) {
  const events: SiphonEvent[] = [];
  const source = restApiSource(billingConfig(sb.tokenUrl), {
    baseUrl: sb.billingUrl,
    authFactories: { oauth2: authFactory },
    secrets: staticSecrets({
      client_id: sb.credentials.clientId,
      client_secret: sb.credentials.clientSecret,
      refresh_token: sb.credentials.refreshToken,
    }),
    retry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 100 },
    events: (event) => events.push(event),
    // One page at a time: the run's length is what lets tokens expire mid-run, and each expiry
    // then meets exactly one request (pages ahead would meet it with several at once).
    prefetchPages: 1,
  });
  const records: JsonRecord[] = [];
  let pages = 0;
  try {
    const [invoices] = source.resources;
    for await (const page of invoices!.read()) {
      pages++;
      records.push(...page.records);
      clock.advance(PAGE_MS);
    }
  } finally {
    await source.close();
  }
  return { records, pages, events };
}

describe('core extracts billing invoices from the sandbox with short-lived OAuth2 tokens', () => {
  it('refreshes ahead of expiry several times without losing a page', async () => {
    const clock = manualClock();
    const sb = await startSandbox({
      size: 0,
      sizes: { billing: { invoices: INVOICES } },
      tokenTtlSeconds: 2,
      tokenLimit: { count: 1000, windowSeconds: 600 },
      now: clock.now,
    });
    sandbox = sb;
    const { records, pages } = await extractInvoices(sb, clock, createOAuth2AuthFactory({ now: clock.now }));
    expect(pages).toBeGreaterThanOrEqual(16);
    expect(await digestRecords(records)).toEqual(await sb.digest('billing', 'invoices'));
    const stats = sb.stats();
    expect(stats.tokensIssued).toBeGreaterThanOrEqual(3);
    // Refreshed ahead of expiry: the API never saw an expired token.
    expect(stats.byStatus['401'] ?? 0).toBe(0);
  });

  it('recovers through 401s when only the API notices the expiry, still without losing a page', async () => {
    const clock = manualClock();
    const sb = await startSandbox({
      size: 0,
      sizes: { billing: { invoices: INVOICES } },
      tokenTtlSeconds: 2,
      tokenLimit: { count: 1000, windowSeconds: 600 },
      now: clock.now,
    });
    sandbox = sb;
    // The cache's clock stands still: it never expires a token, so every expiry surfaces as a
    // 401 (code 57) from the API, which must cost one token request and one retry, nothing more.
    const frozen = clock.now();
    const { records, events } = await extractInvoices(
      sb,
      clock,
      createOAuth2AuthFactory({ now: () => frozen }),
    );
    expect(await digestRecords(records)).toEqual(await sb.digest('billing', 'invoices'));
    const stats = sb.stats();
    const unauthorized = stats.byStatus['401'] ?? 0;
    expect(unauthorized).toBeGreaterThanOrEqual(2);
    expect(stats.tokensIssued).toBe(unauthorized + 1);
    const dropped = events.filter(
      (e) =>
        isEventIn(e, 'oauth2') && oauth2LogEntry(e)?.message.includes('access token dropped after HTTP 401'),
    );
    expect(dropped).toHaveLength(unauthorized);
    for (const event of events) {
      const text = JSON.stringify(event);
      for (const secret of [sb.credentials.clientSecret, sb.credentials.refreshToken])
        expect(text).not.toContain(secret);
    }
  });
});

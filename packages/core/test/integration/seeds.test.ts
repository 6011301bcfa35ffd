import { readFileSync } from 'node:fs';
import {
  catalog,
  type Fault,
  manualClock,
  PAGE_BOUNDARY_SIZES,
  type Sandbox,
  startSandbox,
} from '@siphon/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/engine/run-pipeline.js';
import { type RestApiSourceOptions, rest_api_source, restApiSource } from '../../src/engine/source.js';
import type { ExtractEvent } from '../../src/events.js';
import { staticSecrets } from '../../src/secrets/providers.js';
import { MemorySink } from '../../src/sinks/memory-sink.js';
import { groundTruthIds, idsOf, sandboxOAuth2 } from '../helpers/sandbox.js';
import { seedConfig, seedPython } from '../helpers/seeds.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

// What the emulator serves, known apart from the seed: the seed must read every one of them.
const BILLING = catalog.billing.resources.map((r) => r.name);
const ANALYTICS = catalog.analytics.resources.map((r) => r.name);

let sandbox: Sandbox;
const truth = new Map<string, string[]>();
// One clock for the sandbox and the sources' HTTP transport: the waits that 429s ask for (in
// seconds or as a date the sandbox writes by this clock) and the backoff between tries move it
// on instead of taking real time. Timeouts stay real: they bound real requests.
const clock = manualClock();

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11, ...PAGE_BOUNDARY_SIZES, now: clock.now });
  for (const name of BILLING) truth.set(`billing/${name}`, await groundTruthIds(sandbox, 'billing', name));
  for (const name of ANALYTICS)
    truth.set(`analytics/${name}`, await groundTruthIds(sandbox, 'analytics', name));
});
afterAll(() => sandbox?.close());

type Api = 'billing' | 'analytics';

function options(api: Api, extra: RestApiSourceOptions = {}): RestApiSourceOptions {
  const { clientId, clientSecret, refreshToken, apiKey } = sandbox.credentials;
  return {
    name: api,
    baseUrl: api === 'billing' ? sandbox.billingUrl : sandbox.analyticsUrl,
    secrets: staticSecrets({
      client_id: clientId,
      client_secret: clientSecret,
      refresh_token: refreshToken,
      api_key: apiKey,
    }),
    authFactories: { oauth2: sandboxOAuth2(sandbox.tokenUrl) },
    retry: { initialDelayMs: 20, maxDelayMs: 3_000 },
    clock,
    ...extra,
  };
}

const forms: Record<string, (api: Api, o: RestApiSourceOptions) => ReturnType<typeof restApiSource>> = {
  'Python text': (api, o) => restApiSource(seedPython(api), { ...o, configSource: `${api}-source.py` }),
  JSON: (api, o) =>
    restApiSource(fixture(`${api}-source.json`), { ...o, configSource: `${api}-source.json` }),
  YAML: (api, o) =>
    restApiSource(fixture(`${api}-source.yaml`), { ...o, configSource: `${api}-source.yaml` }),
  'TS object': (api, o) => rest_api_source(seedConfig(api), o),
};

/** Extracts every resource and checks it against the sandbox: same ids, same count, no duplicates. */
async function extractAndCompare(api: Api, source: ReturnType<typeof restApiSource>) {
  const sink = new MemorySink();
  try {
    const results = await runPipeline({ source, sink, pipeline: 'it', concurrency: 4 });
    const names = api === 'billing' ? BILLING : ANALYTICS;
    expect(results.map((r) => r.resource).sort()).toEqual([...names].sort());
    for (const name of names) {
      const ids = idsOf(sink.recordsOf(name));
      const expected = truth.get(`${api}/${name}`) as string[];
      expect(new Set(ids).size, `${name}: duplicates`).toBe(ids.length);
      expect(ids.length, `${name}: count`).toBe(expected.length);
      expect([...ids].sort(), `${name}: ids`).toEqual([...expected].sort());
      expect(results.find((r) => r.resource === name)?.complete).toBe(true);
    }
    return sink;
  } finally {
    await source.close();
  }
}

describe.each(['billing', 'analytics'] as const)('the %s seed against the sandbox', (api) => {
  it.each(Object.keys(forms))('extracts exactly the ground truth from the %s form', async (form) => {
    await extractAndCompare(api, (forms[form] as (typeof forms)[string])(api, options(api)));
  });

  it('extracts exactly the ground truth through 429s (both Retry-After forms), 5xx, resets, bad bodies and slow pages', async () => {
    const faults: Fault[] = [
      { api, kind: 'retry_after_seconds', retryAfterSeconds: 1, count: 2 },
      { api, kind: 'retry_after_date', retryAfterSeconds: 1, count: 2, afterRequests: 5 },
      { api, kind: 'status', status: 500, probability: 0.08 },
      { api, kind: 'status', status: 502, probability: 0.05 },
      { api, kind: 'status', status: 503, probability: 0.05 },
      { api, kind: 'status', status: 504, probability: 0.05 },
      { api, kind: 'reset', probability: 0.05 },
      { api, kind: 'malformed_json', count: 2, afterRequests: 3 },
      { api, kind: 'html_200', count: 2, afterRequests: 7 },
      { api, kind: 'slow', delayMs: 2_000, count: 3, afterRequests: 12 },
      { api: 'accounts', kind: 'status', status: 503, count: 1 },
    ];
    sandbox.setFaults(faults);
    sandbox.resetStats();
    const events: ExtractEvent[] = [];
    try {
      await extractAndCompare(
        api,
        forms['Python text']!(
          api,
          options(api, {
            timeoutMs: 500,
            // About a third of the requests fail here, so 5 attempts run out now and then: allow 8.
            retry: { maxAttempts: 8, initialDelayMs: 20, maxDelayMs: 3_000 },
            events: (e) => events.push(e),
          }),
        ),
      );
    } finally {
      sandbox.setFaults([]);
    }
    const reasons = events
      .filter((e) => e.type === 'http.retry')
      .map((e) => (e as { reason: string }).reason);
    for (const reason of ['HTTP 429', 'HTTP 500', 'timeout after 0.5 s']) expect(reasons).toContain(reason);
    expect(reasons.some((r) => /not valid JSON/.test(r))).toBe(true);
    expect(reasons.some((r) => /expected a JSON body/.test(r))).toBe(true);
    expect(reasons.some((r) => /reset|socket closed|truncated/.test(r))).toBe(true);
    expect(events.some((e) => e.type === 'http.rate_limited' && e.source === 'server')).toBe(true);
  });

  it('asks again for an empty page in the middle of a walk, and gets every record', async () => {
    sandbox.setFaults([{ api, kind: 'empty_page', count: 2 }]);
    const events: ExtractEvent[] = [];
    try {
      await extractAndCompare(
        api,
        forms['Python text']!(api, options(api, { events: (e) => events.push(e) })),
      );
    } finally {
      sandbox.setFaults([]);
    }
    expect(
      events.filter((e) => e.type === 'http.retry' && /empty page/.test(e.reason)).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('stops a repeating cursor with a loop error naming the resource', async () => {
    const resource = api === 'billing' ? 'invoices' : 'fees';
    const path = api === 'billing' ? '/invoices' : '/v1/fees';
    sandbox.setFaults([{ api, path, kind: 'repeat_cursor', afterRequests: 1, count: 1 }]);
    // One page at a time: the fault hits the second request to arrive, which must be page 2
    // (with pages ahead, page 3 may arrive first and repeat page 1 after a different page 2).
    const source = forms['Python text']!(api, options(api, { prefetchPages: 1 }));
    try {
      const error = (await runPipeline({
        source,
        sink: new MemorySink(),
        pipeline: 'it',
        resources: [resource],
      }).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(
        new RegExp(`^1 resource failed:\\n  - ${resource}: resource "${resource}": `),
      );
      expect(error.message).toMatch(/same page|same \d+ records/);
    } finally {
      sandbox.setFaults([]);
      await source.close();
    }
  });
});

describe('pages ahead against the sandbox', () => {
  // Many pages, and boundaries: an exact multiple of 200 (ends on an empty page) and one past it.
  const SIZES = { invoices: 6_000, customers: 4_001, products: 1 };
  let big: Sandbox;
  // The sandbox's ids, in API order, read once: the three runs below compare against the same truth.
  const bigTruth = new Map<string, string[]>();
  beforeAll(async () => {
    big = await startSandbox({ seed: 5, size: 0, sizes: { billing: SIZES } });
    for (const name of Object.keys(SIZES)) bigTruth.set(name, await groundTruthIds(big, 'billing', name));
  });
  afterAll(() => big?.close());

  it.each([1, 4, 16])(
    'with pages_ahead %i the billing seed reads exactly the ground truth, in API order, within a few requests past the end',
    async (ahead) => {
      const { clientId, clientSecret, refreshToken } = big.credentials;
      const events: ExtractEvent[] = [];
      const source = restApiSource(seedPython('billing'), {
        configSource: 'billing-source.py',
        baseUrl: big.billingUrl,
        secrets: staticSecrets({
          client_id: clientId,
          client_secret: clientSecret,
          refresh_token: refreshToken,
        }),
        authFactories: { oauth2: sandboxOAuth2(big.tokenUrl) },
        prefetchPages: ahead,
        events: (e) => events.push(e),
      });
      big.resetStats();
      const sink = new MemorySink();
      try {
        await runPipeline({ source, sink, pipeline: 'it', concurrency: 4, resources: Object.keys(SIZES) });
      } finally {
        await source.close();
      }
      const routes = big.stats().byRoute;
      for (const [name, size] of Object.entries(SIZES)) {
        const expected = bigTruth.get(name);
        expect(expected).toHaveLength(size);
        // In API order, each once: pages are written in order whatever order they arrived in.
        expect(idsOf(sink.recordsOf(name)), name).toEqual(expected);
        const pages = Math.floor(size / 200) + 1;
        const requests = routes[`billing GET /${name}`] ?? 0;
        // Every page once (an empty last page twice, to confirm it), plus at most pages_ahead - 1
        // asked for ahead past the end.
        const confirm = size % 200 === 0 ? 1 : 0;
        expect(requests, name).toBeGreaterThanOrEqual(pages + confirm);
        expect(requests, name).toBeLessThanOrEqual(pages + confirm + Math.max(ahead - 1, 0));
        const finished = events.find((e) => e.type === 'engine.resource_finished' && e.resource === name);
        expect(finished).toMatchObject({ records: size, pages });
      }
      expect(events.filter((e) => e.type === 'engine.resource_failed')).toEqual([]);
    },
  );
});

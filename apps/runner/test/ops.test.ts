import { EventEmitter } from 'node:events';
import { OAuth2Error } from '@siphon/auth-oauth2';
import { createEventBus, type ResourceState, type StateKey, type StateStore } from '@siphon/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startOpsServer } from '../src/ops/http-server.js';
import { RunnerMetrics } from '../src/ops/metrics.js';
import { ProgressBoard, renderRows } from '../src/ops/progress.js';
import { Readiness, type ReadinessReport } from '../src/ops/readiness.js';
import { nextRunAt, runOnSchedule } from '../src/ops/schedule.js';
import { handleShutdown } from '../src/ops/shutdown.js';
import { decrypt, encrypt, stateKeyFromEnv, TokenVault } from '../src/ops/token-vault.js';

describe('metrics', () => {
  it('count records, pages, statuses, retries and rate-limit waits from engine events', async () => {
    const metrics = new RunnerMetrics({ processMetrics: false });
    metrics.observe('billing', {
      type: 'engine.page_fetched',
      resource: 'invoices',
      index: 1,
      records: 200,
      url: 'u',
    });
    metrics.observe('billing', {
      type: 'engine.page_fetched',
      resource: 'invoices',
      index: 2,
      records: 50,
      url: 'u',
    });
    metrics.observe('billing', {
      type: 'http.response',
      resource: 'invoices',
      method: 'GET',
      url: 'u',
      status: 503,
      bytes: 10,
      durationMs: 20,
    });
    metrics.observe('billing', {
      type: 'http.retry',
      resource: 'invoices',
      url: 'u',
      attempt: 1,
      reason: 'HTTP 503',
      delayMs: 5,
    });
    metrics.observe('billing', { type: 'http.rate_limited', host: 'h', waitMs: 1500, source: 'server' });
    metrics.resourceSucceeded('billing', 'invoices', 1_700_000_000_000);
    metrics.runFinished('billing', 'success', 3);
    const text = await metrics.text();
    expect(text).toContain('siphon_records_total{pipeline="billing",resource="invoices"} 250');
    expect(text).toContain('siphon_pages_total{pipeline="billing",resource="invoices"} 2');
    expect(text).toContain(
      'siphon_http_responses_total{pipeline="billing",resource="invoices",status="503"} 1',
    );
    expect(text).toContain(
      'siphon_retries_total{pipeline="billing",resource="invoices",reason="status_503"} 1',
    );
    expect(text).toContain('siphon_rate_limit_wait_seconds_total{pipeline="billing",origin="server"} 1.5');
    expect(text).toContain(
      'siphon_last_success_timestamp_seconds{pipeline="billing",resource="invoices"} 1700000000',
    );
    expect(text).toContain('siphon_runs_total{pipeline="billing",outcome="success"} 1');
    expect(text).toContain('siphon_last_run_failed{pipeline="billing"} 0');
  });

  it("subscribe to a pipeline's bus: sink commits, OAuth2 token requests, failures and rotations", async () => {
    const metrics = new RunnerMetrics({ processMetrics: false });
    const bus = createEventBus();
    const unsubscribe = metrics.subscribe(bus, 'billing', (resource) => `acme.billing.${resource}`);
    const auth = 'oauth2(refresh_token @ accounts.example.com)';
    const grantType = 'refresh_token' as const;
    bus.emit({
      type: 'sink.transaction_committed',
      resource: 'invoices',
      records: 3,
      tombstones: 1,
      bytes: 120,
      durationMs: 40,
    });
    bus.emit({ type: 'oauth2.token_requested', auth, grantType, reason: 'initial' });
    bus.emit({
      type: 'oauth2.token_issued',
      auth,
      grantType,
      expiresInSeconds: 3600,
      expiresInDefaulted: false,
      refreshTokenRotated: true,
      refreshTokenInMemoryOnly: false,
      durationMs: 5,
    });
    bus.emit({ type: 'oauth2.token_requested', auth, grantType, reason: 'expiring' });
    bus.emit({ type: 'oauth2.token_requested', auth, grantType, reason: 'expiring' });
    bus.emit({
      type: 'oauth2.token_failed',
      auth,
      grantType,
      error: new OAuth2Error('token endpoint answered 500', { code: 'OAUTH2_HTTP_STATUS' }),
    });
    unsubscribe();
    bus.emit({ type: 'oauth2.token_requested', auth, grantType, reason: 'invalidated' });

    const text = await metrics.text();
    const labels = 'pipeline="billing",resource="invoices"';
    expect(text).toContain(`siphon_messages_produced_total{${labels},topic="acme.billing.invoices"} 4`);
    expect(text).toContain(`siphon_bytes_produced_total{${labels},topic="acme.billing.invoices"} 120`);
    expect(text).toContain(`siphon_produce_latency_seconds_count{${labels}} 1`);
    const requests = 'siphon_oauth2_token_requests_total{pipeline="billing",grant_type="refresh_token"';
    expect(text).toContain(`${requests},reason="initial"} 1`);
    expect(text).toContain(`${requests},reason="expiring"} 2`);
    expect(text).not.toContain(`${requests},reason="invalidated"}`);
    expect(text).toContain(
      'siphon_oauth2_token_failures_total{pipeline="billing",grant_type="refresh_token"} 1',
    );
    expect(text).toContain('siphon_oauth2_refresh_token_rotations_total{pipeline="billing"} 1');
  });
});

describe('ops HTTP server', () => {
  it('serves /healthz, /readyz, /metrics and 404 elsewhere', async () => {
    const metrics = new RunnerMetrics({ processMetrics: false });
    const readiness = new Readiness({ ttlMs: 0 });
    let kafkaUp = true;
    readiness.addProbe('kafka', async () => {
      if (!kafkaUp) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      return '1 broker';
    });
    const server = await startOpsServer({ port: 0, host: '127.0.0.1', metrics, readiness });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        ready: true,
        checks: { kafka: { ok: true, detail: '1 broker' } },
      });

      kafkaUp = false;
      const down = await fetch(`${base}/readyz`);
      expect(down.status).toBe(503);
      expect(((await down.json()) as ReadinessReport).checks.kafka).toEqual({
        ok: false,
        detail: 'connect ECONNREFUSED 127.0.0.1:1',
      });

      kafkaUp = true;
      readiness.runFailed('billing', 'HTTP 500 from /invoices');
      const failed = await fetch(`${base}/readyz`);
      expect(failed.status).toBe(503);
      expect(((await failed.json()) as ReadinessReport).checks['pipeline billing']?.detail).toBe(
        'last run failed: HTTP 500 from /invoices',
      );
      readiness.runSucceeded('billing');
      expect((await fetch(`${base}/readyz`)).status).toBe(200);

      metrics.observe('p', { type: 'engine.page_fetched', resource: 'r', index: 1, records: 7, url: 'u' });
      const scraped = await fetch(`${base}/metrics`);
      expect(scraped.headers.get('content-type')).toContain('text/plain');
      expect(await scraped.text()).toContain('siphon_records_total{pipeline="p",resource="r"} 7');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('reports a probe that hangs as timed out', async () => {
    const readiness = new Readiness({ ttlMs: 0, timeoutMs: 50 });
    readiness.addProbe('registry', () => new Promise(() => {}));
    expect(await readiness.report()).toEqual({
      ready: false,
      checks: { registry: { ok: false, detail: 'timed out' } },
    });
  });
});

describe('progress display', () => {
  it('shows pages, records, records/s and retries per resource', () => {
    const board = new ProgressBoard({ write: () => true });
    board.expect('billing', ['invoices', 'customers']);
    board.observe('billing', { type: 'engine.resource_started', resource: 'invoices', resumed: false }, 0);
    board.observe(
      'billing',
      { type: 'engine.page_fetched', resource: 'invoices', index: 1, records: 200, url: 'u' },
      500,
    );
    board.observe(
      'billing',
      { type: 'engine.page_fetched', resource: 'invoices', index: 2, records: 200, url: 'u' },
      1000,
    );
    board.observe(
      'billing',
      { type: 'http.retry', resource: 'invoices', url: 'u', attempt: 1, reason: '503', delayMs: 1 },
      1000,
    );
    const lines = renderRows(board.rows(), 2000);
    expect(lines[0]).toBe(
      '› running  pages     2  records       400      200 rec/s  retries   1  billing/invoices',
    );
    // On 80 columns every number stays visible.
    expect(lines[0]?.indexOf('billing')).toBeLessThan(80);
    expect(lines[1]).toBe(
      '· waiting  pages     0  records         0        0 rec/s  retries   0  billing/customers',
    );
  });

  it('redraws in place and prints log lines above the table', () => {
    let out = '';
    const board = new ProgressBoard({ write: (s: string) => (out += s) });
    board.expect('a', ['r']);
    board.draw(0);
    board.writeAbove('{"msg":"hello"}');
    expect(out).toContain('\x1b[1A\x1b[2K{"msg":"hello"}\n');
  });
});

describe('graceful shutdown', () => {
  it('aborts on the first signal and forces on the second', () => {
    const target = new EventEmitter();
    const forced: string[] = [];
    const handle = handleShutdown({
      deadlineMs: 60_000,
      onForce: (reason) => forced.push(reason),
      target: target as unknown as NodeJS.Process,
    });
    expect(handle.signal.aborted).toBe(false);
    target.emit('SIGTERM', 'SIGTERM');
    expect(handle.signal.aborted).toBe(true);
    expect(handle.received).toBe('SIGTERM');
    expect(forced).toEqual([]);
    target.emit('SIGINT', 'SIGINT');
    expect(forced).toEqual(['second SIGINT received during shutdown']);
    handle.dispose();
  });

  it('forces the exit when the deadline passes', () => {
    vi.useFakeTimers();
    try {
      const target = new EventEmitter();
      const forced: string[] = [];
      const handle = handleShutdown({
        deadlineMs: 5000,
        onForce: (r) => forced.push(r),
        target: target as never,
      });
      target.emit('SIGTERM', 'SIGTERM');
      vi.advanceTimersByTime(4999);
      expect(forced).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(forced).toEqual(['shutdown took longer than 5s']);
      handle.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('waits a 25-day deadline instead of forcing the exit at once', async () => {
    vi.useFakeTimers();
    try {
      const target = new EventEmitter();
      const forced: string[] = [];
      const handle = handleShutdown({
        deadlineMs: 25 * DAY,
        onForce: (r) => forced.push(r),
        target: target as never,
      });
      target.emit('SIGTERM', 'SIGTERM');
      await vi.advanceTimersByTimeAsync(60_000);
      expect(forced).toEqual([]);
      await vi.advanceTimersByTimeAsync(25 * DAY);
      expect(forced).toEqual(['shutdown took longer than 2160000s']);
      handle.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});

const DAY = 86_400_000;

/** Runs a schedule on the fake clock until `maxRuns` runs happened or the test aborts it; returns the start times. */
function scheduleOnFakeClock(schedule: Parameters<typeof runOnSchedule>[0], maxRuns: number) {
  const controller = new AbortController();
  const starts: string[] = [];
  const done = runOnSchedule(schedule, controller.signal, async () => {
    starts.push(new Date().toISOString());
    if (starts.length >= maxRuns) controller.abort();
  });
  return { starts, done, stop: () => controller.abort() };
}

describe('schedules longer than a timer can hold', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 6, 12, 0, 0) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a monthly cron once now and next on the 1st, never in a loop', async () => {
    const run = scheduleOnFakeClock({ cron: '0 0 1 * *', timezone: 'UTC' }, 5);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(run.starts).toEqual(['2026-12-06T12:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(Date.UTC(2027, 0, 1) - Date.now());
    expect(run.starts).toEqual(['2026-12-06T12:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    run.stop();
    await run.done;
  });

  it('runs `every: 25d` once per 25 days', async () => {
    const run = scheduleOnFakeClock({ every: 25 * DAY }, 5);
    await vi.advanceTimersByTimeAsync(25 * DAY - 1);
    expect(run.starts).toEqual(['2026-12-06T12:00:00.000Z']);
    await vi.advanceTimersByTimeAsync(1);
    expect(run.starts).toEqual(['2026-12-06T12:00:00.000Z', '2026-12-31T12:00:00.000Z']);
    run.stop();
    await run.done;
  });
});

describe('schedules', () => {
  it('runs intervals start to start and skips slots missed by a long run', () => {
    expect(nextRunAt({ every: 60_000 }, 0, 10_000)).toBe(60_000);
    expect(nextRunAt({ every: 60_000 }, 0, 150_000)).toBe(180_000);
  });

  it('follows cron expressions', () => {
    const start = Date.UTC(2025, 0, 1, 10, 3, 0);
    expect(new Date(nextRunAt({ cron: '*/10 * * * *', timezone: 'UTC' }, start, start)).toISOString()).toBe(
      '2025-01-01T10:10:00.000Z',
    );
  });

  it('repeats until aborted, without overlapping runs', async () => {
    const controller = new AbortController();
    let now = 0;
    const starts: number[] = [];
    await runOnSchedule(
      { every: 1000 },
      controller.signal,
      async () => {
        starts.push(now);
        now += 2500; // longer than the interval
        if (starts.length === 3) controller.abort();
      },
      {
        now: () => now,
        sleep: async (ms) => {
          now += ms;
        },
      },
    );
    expect(starts).toEqual([0, 3000, 6000]);
  });
});

class MapStore implements StateStore {
  readonly map = new Map<string, ResourceState>();
  async get(key: StateKey) {
    return this.map.get(JSON.stringify(key));
  }
  async set(key: StateKey, state: ResourceState) {
    this.map.set(JSON.stringify(key), state);
  }
  async delete(key: StateKey) {
    this.map.delete(JSON.stringify(key));
  }
  async list() {
    return [...this.map].map(([k, state]) => ({ key: JSON.parse(k) as StateKey, state }));
  }
}

describe('refresh-token vault', () => {
  const key = Buffer.alloc(32, 7);

  it('round-trips with AES-256-GCM and refuses another context, key or a tampered value', () => {
    const sealed = encrypt('1000.refresh.token', key, 'billing/billing');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('refresh');
    expect(decrypt(sealed, key, 'billing/billing')).toBe('1000.refresh.token');
    expect(() => decrypt(sealed, key, 'other/billing')).toThrow('wrong SIPHON_STATE_KEY or tampered value');
    expect(() => decrypt(sealed, Buffer.alloc(32, 8), 'billing/billing')).toThrow('cannot decrypt');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    const tampered = `v1:${raw.toString('base64')}`;
    expect(() => decrypt(tampered, key, 'billing/billing')).toThrow('cannot decrypt');
  });

  it('persists the rotated token encrypted in the state store and reads it back', async () => {
    const store = new MapStore();
    await new TokenVault(store, key).save('billing', 'billing', 'rotated-refresh-token', 'origin-1');
    expect(JSON.stringify([...store.map])).not.toContain('rotated-refresh-token');
    expect(await new TokenVault(store, key).load('billing', 'billing')).toEqual({
      token: 'rotated-refresh-token',
      origin: 'origin-1',
    });
  });

  it('keeps the token in memory only without a key', async () => {
    const store = new MapStore();
    const vault = new TokenVault(store, undefined);
    await vault.save('billing', 'billing', 'rotated-refresh-token');
    expect(store.map.size).toBe(0);
    expect((await vault.load('billing', 'billing'))?.token).toBe('rotated-refresh-token');
    expect(await new TokenVault(store, undefined).load('billing', 'billing')).toBeUndefined();
  });

  it('reads the key from SIPHON_STATE_KEY as hex or base64 and rejects anything else', () => {
    expect(stateKeyFromEnv({})).toBeUndefined();
    expect(stateKeyFromEnv({ SIPHON_STATE_KEY: 'ab'.repeat(32) })?.length).toBe(32);
    expect(stateKeyFromEnv({ SIPHON_STATE_KEY: Buffer.alloc(32, 1).toString('base64') })?.length).toBe(32);
    expect(() => stateKeyFromEnv({ SIPHON_STATE_KEY: 'too-short' })).toThrow(
      'SIPHON_STATE_KEY must be 32 random bytes',
    );
  });
});

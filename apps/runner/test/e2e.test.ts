import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { ANALYTICS_RESOURCE_NAMES } from '@siphon/source-analytics';
import { BILLING_RESOURCE_NAMES } from '@siphon/source-billing';
import { infraConfig, uniqueName } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactedView, decodeTopics, parseMetrics } from './helpers/kafka.js';
import { freePort, groundTruth, pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { spawnCli, tempFile } from './helpers/runner.js';

describe('siphon run as a service: both seeds, real Kafka and registry', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 120 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('writes every resource, serves health, readiness and metrics that agree with Kafka, and stops cleanly on SIGTERM', async () => {
    const prefix = uniqueName('e2e');
    const file = await tempFile(
      'pipelines.yaml',
      pipelinesYaml({ prefix, sandbox, schedule: '{ every: 1h }' }),
    );
    const port = await freePort();
    const runner = spawnCli(
      ['run', '-c', file, '--http-port', String(port), '--http-host', '127.0.0.1'],
      sandboxEnv(sandbox),
    );
    const base = `http://127.0.0.1:${port}`;
    try {
      await runner.waitForLog((l) => l.msg === 'run finished' && l.pipeline === 'billing', 120_000);
      await runner.waitForLog((l) => l.msg === 'run finished' && l.pipeline === 'analytics', 120_000);

      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${base}/readyz`);
      const readyBody = (await ready.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
      expect(readyBody.ready).toBe(true);
      expect(Object.keys(readyBody.checks).sort()).toEqual([
        `kafka ${infraConfig().brokers.join(',')}`,
        `registry ${infraConfig().registryUrl}`,
      ]);
      expect(ready.status).toBe(200);
      const metrics = parseMetrics(await (await fetch(`${base}/metrics`)).text());

      runner.child.kill('SIGTERM');
      const exit = await runner.exited;
      expect(exit.code).toBe(0);
      expect(runner.logs().some((l) => l.msg === 'stopped on SIGTERM')).toBe(true);

      const topics = [
        ...BILLING_RESOURCE_NAMES.map((r) => ({
          api: 'billing' as const,
          resource: r,
          topic: `${prefix}.billing.${r}`,
        })),
        ...ANALYTICS_RESOURCE_NAMES.map((r) => ({
          api: 'analytics' as const,
          resource: r,
          topic: `${prefix}.analytics.${r}`,
        })),
      ];
      const decoded = await decodeTopics(
        infraConfig().brokers,
        infraConfig().registryUrl,
        topics.map((t) => t.topic),
      );
      for (const { api, resource, topic } of topics) {
        const messages = decoded.get(topic) ?? [];
        const view = compactedView(messages);
        const truth = await groundTruth(sandbox, api, resource);
        // The compacted view holds exactly the API's records, keyed by id, with the same values.
        expect([...view.values()].map((v) => v.id).sort(), topic).toEqual(truth.map((r) => r.id).sort());
        const byId = new Map([...view.values()].map((v) => [v.id, v]));
        for (const record of truth) {
          const value = byId.get(record.id) as Record<string, unknown>;
          for (const [field, expected] of Object.entries(record)) {
            if (typeof expected === 'string' || typeof expected === 'boolean')
              expect(value[field], `${topic} ${field}`).toBe(expected);
          }
        }
        // Metrics count what Kafka holds: one message per record read on a first run.
        const labels = `pipeline="${api}",resource="${resource}"`;
        expect(metrics.get(`siphon_records_total{${labels}}`), topic).toBe(truth.length);
        expect(metrics.get(`siphon_messages_produced_total{${labels},topic="${topic}"}`) ?? 0, topic).toBe(
          messages.length,
        );
        // ...and the bytes of their keys and values.
        const bytes = metrics.get(`siphon_bytes_produced_total{${labels},topic="${topic}"}`) ?? 0;
        expect(bytes, topic).toBe(messages.reduce((n, m) => n + m.bytes, 0));
        if (messages.length > 0) expect(bytes, topic).toBeGreaterThan(0);
        expect(metrics.get(`siphon_last_success_timestamp_seconds{${labels}}`), topic).toBeGreaterThan(
          Date.now() / 1000 - 600,
        );
      }
      expect(metrics.get('siphon_runs_total{pipeline="billing",outcome="success"}')).toBe(1);
      expect(metrics.get('siphon_runs_total{pipeline="analytics",outcome="success"}')).toBe(1);
      expect(
        metrics.get('siphon_http_responses_total{pipeline="billing",resource="invoices",status="200"}'),
      ).toBe(1);
      expect(metrics.get('siphon_last_run_failed{pipeline="billing"}')).toBe(0);
      // The billing run fetched one access token: OAuth2's events reach the metrics too.
      expect(
        metrics.get(
          'siphon_oauth2_token_requests_total{pipeline="billing",grant_type="refresh_token",reason="initial"}',
        ),
      ).toBe(1);
    } finally {
      if (runner.child.exitCode === null) runner.child.kill('SIGKILL');
    }
  }, 240_000);
});

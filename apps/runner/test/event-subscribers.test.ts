import path from 'node:path';
import { Redaction } from '@siphon/core';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipelinesText } from '../src/config/load.js';
import { createLogger } from '../src/logging/logger.js';
import { RunnerMetrics } from '../src/ops/metrics.js';
import { PipelineRunner } from '../src/pipeline/pipeline-runner.js';
import { pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';

/**
 * The pipeline's one event bus feeds logs and metrics alike: OAuth2's token events, which used to
 * reach only the log as text, are counted too. No broker: the source is read without a sink.
 */
describe("a pipeline's event bus", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ size: 5 });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  async function billingRunner() {
    const file = '/tmp/pipelines.yaml';
    const text = pipelinesYaml({ prefix: 'events', sandbox, billingResources: ['products', 'taxes'] });
    const { pipelines } = parsePipelinesText(text, file, { env: sandboxEnv(sandbox) });
    const billing = pipelines.find((p) => p.name === 'billing');
    if (!billing) throw new Error('the test pipelines file has no billing pipeline');
    const lines: Array<Record<string, unknown>> = [];
    const secrets = new Redaction();
    const metrics = new RunnerMetrics({ processMetrics: false });
    const runner = new PipelineRunner(billing, {
      logger: createLogger({
        level: 'debug',
        secrets,
        destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
      }),
      secrets,
      metrics,
      baseDir: path.dirname(file),
      stateKey: undefined,
    });
    await runner.prepare();
    return { runner, metrics, lines };
  }

  /** Records the sandbox holds for the resources read. */
  const expectedRecords = () =>
    sandbox
      .catalog()
      .billing.filter((r) => ['products', 'taxes'].includes(r.name))
      .reduce((n, r) => n + r.count, 0);

  async function readAll(runner: PipelineRunner): Promise<number> {
    let records = 0;
    // What a run reads: the pipeline's selection (products and taxes), not the source's every resource.
    const selected = runner.source.resources.filter((r) => runner.resourceNames.includes(r.name));
    for (const resource of selected) {
      for await (const page of resource.read()) records += page.records.length;
    }
    return records;
  }

  it('counts a token refresh in the metrics and logs it, from the same events', async () => {
    // The API refuses the second request's token once: the source drops it and asks for another.
    sandbox.setFaults([{ api: 'billing', kind: 'status', status: 401, count: 1, afterRequests: 1 }]);
    sandbox.resetStats();
    const { runner, metrics, lines } = await billingRunner();
    try {
      expect(await readAll(runner)).toBe(expectedRecords());
    } finally {
      sandbox.setFaults([]);
      await runner.close();
    }
    expect(sandbox.stats().tokensIssued).toBe(2);

    const text = await metrics.text();
    const requests = (reason: string) =>
      `siphon_oauth2_token_requests_total{pipeline="billing",grant_type="refresh_token",reason="${reason}"}`;
    expect(text).toContain(`${requests('initial')} 1`);
    expect(text).toContain(`${requests('invalidated')} 1`);
    expect(text).not.toContain(requests('expiring'));

    const where = /^oauth2\(refresh_token @ 127\.0\.0\.1:\d+\): /;
    const oauth2 = lines.filter((l) => where.test(String(l.msg)));
    expect(
      oauth2.map((l) => [
        l.level,
        String(l.msg)
          .replace(where, '')
          .replace(/\d+ ms/, 'N ms'),
      ]),
    ).toEqual([
      ['debug', 'access token issued in N ms, valid for 3600 s'],
      ['debug', 'access token dropped after HTTP 401'],
      ['debug', 'access token issued in N ms, valid for 3600 s'],
    ]);
    for (const line of oauth2) expect(line.pipeline).toBe('billing');
    // The engine's own lines come from the same bus.
    expect(lines.filter((l) => l.msg === 'resource finished').map((l) => l.resource)).toEqual([
      'products',
      'taxes',
    ]);
  });

  it('keeps extracting, logging and counting when one subscriber throws, and logs that it did', async () => {
    sandbox.resetStats();
    const { runner, metrics, lines } = await billingRunner();
    runner.events.on('engine.page_fetched', () => {
      throw new Error('a broken subscriber');
    });
    try {
      expect(await readAll(runner)).toBe(expectedRecords());
    } finally {
      await runner.close();
    }
    const taxes = sandbox.catalog().billing.find((r) => r.name === 'taxes')?.count;
    expect(await metrics.text()).toContain(
      `siphon_records_total{pipeline="billing",resource="taxes"} ${taxes}`,
    );
    const failures = lines.filter((l) => l.msg === 'an event subscriber failed');
    expect(failures.map((l) => [l.level, l.event, (l.err as { message: string }).message])).toEqual([
      ['warn', 'engine.page_fetched', 'a broken subscriber'],
      ['warn', 'engine.page_fetched', 'a broken subscriber'],
    ]);
  });
});

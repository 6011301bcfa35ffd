import { type Sandbox, startSandbox } from '@siphon/sandbox';
import {
  infraConfig,
  PRIVATE_INFRA_HOOK_MS,
  type PrivateInfra,
  startPrivateInfra,
  uniqueName,
} from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactedView, decodeTopics } from './helpers/kafka.js';
import { groundTruth, pipelinesYaml, sandboxEnv } from './helpers/pipelines.js';
import { type Spawned, spawnCli, tempFile } from './helpers/runner.js';

/**
 * Issue 14, item 6: a broker outage of ~40 s failed the resource, and one longer than the
 * transaction timeout was reported as "fenced by a newer one" with no other runner around. The
 * run must wait for the broker (with backoff, up to `kafka.outage_timeout`), lose and duplicate
 * nothing, and say what happened. A private broker is stopped (data kept) and started again.
 */
describe('broker outages during a run', () => {
  let infra: PrivateInfra;
  let sandbox: Sandbox;
  const INVOICES = 4000;

  beforeAll(async () => {
    infra = await startPrivateInfra();
    // 200 invoices a page, one page every ~0.7 s (2.1 s each, three in flight: the default pages
    // ahead): the run is still reading when the broker stops.
    sandbox = await startSandbox({ size: 20, sizes: { billing: { invoices: INVOICES } }, latencyMs: 2100 });
  }, PRIVATE_INFRA_HOOK_MS);

  afterAll(async () => {
    await sandbox?.close();
    await infra?.down();
  }, 120_000);

  const isInvoices = (l: Record<string, unknown>) => l.resource === 'invoices';
  const pageLine = (after: number) => (l: Record<string, unknown>) =>
    l.msg === 'page' && isInvoices(l) && Number(l.page) >= after;

  async function runThroughOutage(options: {
    extraDefaults: string;
    /** Resolves when the broker should go down (the run is mid-way). */
    stopWhen: (run: Spawned) => Promise<void>;
    outageMs: number;
  }) {
    const prefix = uniqueName('outage');
    const file = await tempFile(
      'pipelines.yaml',
      pipelinesYaml({
        prefix,
        sandbox,
        brokers: infra.brokers,
        billingResources: ['invoices'],
        analyticsResources: ['metrics'],
        extraDefaults: options.extraDefaults,
      }),
    );
    const run = spawnCli(
      ['run', '--once', '-c', file, '--http-port', '0', '--log-level', 'debug'],
      sandboxEnv(sandbox),
    );
    await options.stopWhen(run);
    await infra.stopKafka();
    const stoppedAt = Date.now();
    // The writer noticed the outage and is waiting for the broker.
    await run.waitForLog((l) => isInvoices(l) && /Kafka unavailable; retrying/.test(String(l.msg)), 180_000);
    const rest = options.outageMs - (Date.now() - stoppedAt);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    await infra.startKafka();
    const outageS = Math.round((Date.now() - stoppedAt) / 1000);
    const { code } = await run.exited;
    const output = run.stderr();
    expect(code, output.slice(-4000)).toBe(0);

    const topic = `${prefix}.billing.invoices`;
    const decoded = await decodeTopics(infra.brokers, infraConfig().registryUrl, [topic]);
    const messages = decoded.get(topic) ?? [];
    const view = compactedView(messages);
    const truth = await groundTruth(sandbox, 'billing', 'invoices');
    expect([...view.keys()].length).toBe(INVOICES);
    expect([...view.values()].map((v) => String(v.id)).sort()).toEqual(truth.map((r) => String(r.id)).sort());
    // Nothing committed twice: the replayed transaction replaced the expired one.
    expect(messages.length).toBe(INVOICES);
    expect(output).not.toMatch(/fenced by a newer/);
    return { run, outageS, output };
  }

  it('survives a ~45 s broker outage: exit 0, every invoice once, the outage named', async () => {
    const { run, outageS } = await runThroughOutage({
      // Few client-level retries: the client's own (about a minute by default) would hide a 45 s
      // outage from the writer, whose bounded backoff is what is tested here.
      extraDefaults: '  sink: { retries: 2 }\n',
      stopWhen: async (r) => void (await r.waitForLog(pageLine(3), 120_000)),
      outageMs: 45_000,
    });
    expect(outageS).toBeGreaterThanOrEqual(45);
    const back = run
      .logs()
      .find((l) => isInvoices(l) && /Kafka is available again|expired the open/.test(String(l.msg)));
    expect(back, run.stderr().slice(-4000)).toBeDefined();
  }, 420_000);

  it('an outage longer than the transaction timeout is reported as an expired transaction, not fencing', async () => {
    const { run, outageS } = await runThroughOutage({
      // Commits only on the transaction's age (timeout / 2 = 7.5 s), and each page is sent as the
      // next arrives: the broker goes down with a transaction open on it.
      extraDefaults: '  sink: { transaction: { timeout: 15s, pages: 1000 }, linger: 1ms }\n',
      stopWhen: async (r) => {
        await r.waitForLog(pageLine(2), 120_000);
        await r.waitForLog((l) => l.msg === 'transaction committed' && isInvoices(l), 120_000);
        // Two pages after a commit: the first of them was sent inside a new, still open transaction.
        const page = Math.max(
          ...r
            .logs()
            .filter(pageLine(0))
            .map((l) => Number(l.page)),
        );
        await r.waitForLog(pageLine(page + 2), 120_000);
      },
      outageMs: 25_000,
    });
    expect(outageS).toBeGreaterThan(15);
    const expired = run
      .logs()
      .find((l) => isInvoices(l) && /the broker expired the open transaction/.test(String(l.msg)));
    expect(expired, run.stderr().slice(-4000)).toMatchObject({ transaction_timeout_s: 15 });
  }, 420_000);
});

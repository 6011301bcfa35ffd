/**
 * Scenario 3, latency hiding: every page takes `latencyMs` longer, all 12 billing resources hold
 * `latencyRecords` each. One run syncs all twelve with default settings; another syncs the slowest
 * resource alone (found by timing each alone once, which doubles as the warm-up). Ratio per iteration.
 */
import type { KafkaClientName } from '@siphon/sink-kafka';
import { BILLING_RESOURCE_NAMES } from '@siphon/source-billing';
import { alternate, type BenchContext, dropTopics } from '../context.ts';
import { type SandboxProcess, startSandboxProcess } from '../sandbox.ts';
import { runSiphon } from '../siphon.ts';
import { round } from '../stats.ts';

export interface LatencyRun {
  client: KafkaClientName;
  resources: string[];
  wallSeconds: number;
  runSeconds: number | undefined;
  cpuSeconds: number;
  peakRssMB: number;
  records: number;
}

export interface LatencyData {
  slowest: string;
  /** Each resource alone, once (the discovery pass, on the first client), wall seconds. */
  alone: Record<string, number>;
  /** Per Kafka adapter: the measured iterations. */
  iterations: Partial<Record<KafkaClientName, { all: LatencyRun; one: LatencyRun }[]>>;
}

async function sync(
  ctx: BenchContext,
  sandbox: SandboxProcess,
  resources: string[],
  name: string,
  client: KafkaClientName,
): Promise<LatencyRun> {
  const target = {
    brokers: ctx.infra.brokers,
    registryUrl: ctx.infra.registryUrl,
    prefix: `${ctx.tag}-${name}`,
    client,
  };
  try {
    const run = await runSiphon(sandbox, target, { kind: 'package', resources });
    const records = Object.values(run.log.records).reduce((a, b) => a + b, 0);
    const expected = resources.length * ctx.options.latencyRecords;
    if (records !== expected)
      throw new Error(`run ${name} reported ${records} records, expected ${expected}`);
    return {
      client,
      resources,
      wallSeconds: round(run.wallSeconds, 3),
      runSeconds: run.log.runMs === undefined ? undefined : round(run.log.runMs / 1000, 3),
      cpuSeconds: round(run.usage?.cpuSeconds ?? Number.NaN, 3),
      peakRssMB: round(run.usage?.peakRssMB ?? Number.NaN, 1),
      records,
    };
  } finally {
    await dropTopics(ctx, target.prefix);
  }
}

export async function runLatency(ctx: BenchContext): Promise<LatencyData> {
  const { options } = ctx;
  const sizes = Object.fromEntries(BILLING_RESOURCE_NAMES.map((r) => [r, options.latencyRecords]));
  ctx.log(
    `scenario 3: sandbox with 12 × ${options.latencyRecords} records, +${options.latencyMs} ms per page`,
  );
  const sandbox = await startSandboxProcess({ billing: sizes, latencyMs: options.latencyMs });
  try {
    const alone: Record<string, number> = {};
    let slowest = 'invoices';
    const first = options.clients[0] as KafkaClientName;
    if (options.latencyDiscover) {
      for (const resource of BILLING_RESOURCE_NAMES) {
        const run = await sync(ctx, sandbox, [resource], `lat-alone-${resource}`, first);
        alone[resource] = run.wallSeconds;
        ctx.log(`  alone: ${resource} ${run.wallSeconds} s`);
      }
      slowest = Object.entries(alone).sort((a, b) => b[1] - a[1])[0]?.[0] ?? slowest;
      ctx.log(`  slowest alone: ${slowest}`);
    }
    // The discovery pass already warmed the sandbox, broker and disk up; without it, warm up here.
    const warmups = options.latencyDiscover ? 0 : options.warmup;
    const iterations: LatencyData['iterations'] = {};
    for (let i = 0; i < warmups + options.runs; i++) {
      for (const client of options.clients) {
        const result: { all?: LatencyRun; one?: LatencyRun } = {};
        const all = async () => {
          result.all = await sync(
            ctx,
            sandbox,
            [...BILLING_RESOURCE_NAMES],
            `lat-all-${client}-${i}`,
            client,
          );
        };
        const one = async () => {
          result.one = await sync(ctx, sandbox, [slowest], `lat-one-${client}-${i}`, client);
        };
        for (const step of alternate(i, all, one)) await step();
        if (!result.all || !result.one) throw new Error('a latency run produced no figures');
        ctx.log(
          `  ${i < warmups ? 'warm-up' : 'run'} (${client}): all 12 ${result.all.wallSeconds} s, ${slowest} alone ${result.one.wallSeconds} s`,
        );
        if (i >= warmups)
          iterations[client] = [...(iterations[client] ?? []), { all: result.all, one: result.one }];
      }
    }
    return { slowest, alone, iterations };
  } finally {
    await sandbox.close();
  }
}

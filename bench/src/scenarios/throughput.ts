/**
 * Scenarios 1, 2 and 6 (and the large size of 4) share one sandbox resource and run side by side in
 * every iteration: Siphon end to end into Kafka on each adapter, the three references (source
 * ceiling, best floor, naive floor), and dlt to local files. The contenders take turns at going
 * first. The first `warmup` iterations are discarded; each measured iteration yields its own ratios.
 */
import type { KafkaClientName } from '@siphon/sink-kafka';
import { type BenchContext, dropTopics, rotate } from '../context.ts';
import { type FloorSchemas, REFERENCES, type Reference, runFloor, schemasOf } from '../floor-run.ts';
import { tallyTopic } from '../kafka.ts';
import { ensureDlt, runDlt } from '../peer.ts';
import type { Measured } from '../proc.ts';
import { type SandboxProcess, startSandboxProcess } from '../sandbox.ts';
import { type RunnerLog, runSiphon, type SiphonTarget, topicOf } from '../siphon.ts';
import { round } from '../stats.ts';

export const RESOURCE = 'invoices';
/** The runner's default partition count for new topics; the floor's topic gets the same. */
const PARTITIONS = 3;

export interface ProcessFigures {
  records: number;
  wallSeconds: number;
  recordsPerSecond: number;
  bytes: number;
  mbPerSecond: number;
  cpuSeconds: number;
  peakRssMB: number;
  /** CPU the sandbox spent serving this run: the shared bottleneck on a small machine. */
  sandboxCpuSeconds: number;
}

export interface SiphonFigures extends ProcessFigures {
  runSeconds: number | undefined;
  /** The runner's own milestones (from its log): where the wall time went. */
  timeline?: RunnerLog['timeline'];
}

export interface DltFigures extends ProcessFigures {
  steps: Record<string, number>;
  version: string;
}

export interface Iteration {
  index: number;
  warmup: boolean;
  /** Siphon end to end, per Kafka adapter. */
  siphon: Partial<Record<KafkaClientName, SiphonFigures>>;
  /** The references of scenario 2 (source ceiling, best floor, naive floor). */
  refs: Partial<Record<Reference, ProcessFigures>>;
  dlt?: DltFigures;
}

export interface ThroughputData {
  iterations: Iteration[];
  schemas: FloorSchemas | undefined;
  dltSkipped?: string;
  dltAdaptations?: string[];
  dltError?: string;
  /** Why a reference stopped running (it is not tried again). */
  refErrors: Partial<Record<Reference, string>>;
}

function figures(run: Measured, records: number, bytes: number, sandboxCpuSeconds: number): ProcessFigures {
  return {
    records,
    wallSeconds: round(run.wallSeconds, 3),
    recordsPerSecond: round(records / run.wallSeconds, 1),
    bytes,
    mbPerSecond: round(bytes / 1e6 / run.wallSeconds, 3),
    cpuSeconds: round(run.usage?.cpuSeconds ?? Number.NaN, 3),
    peakRssMB: round(run.usage?.peakRssMB ?? Number.NaN, 1),
    sandboxCpuSeconds: round(sandboxCpuSeconds, 3),
  };
}

async function measureSiphon(
  ctx: BenchContext,
  sandbox: SandboxProcess,
  records: number,
  name: string,
  client: KafkaClientName,
) {
  const target: SiphonTarget = {
    brokers: ctx.infra.brokers,
    registryUrl: ctx.infra.registryUrl,
    prefix: `${ctx.tag}-${name}`,
    client,
  };
  const cpu0 = sandbox.cpuSeconds();
  const run = await runSiphon(sandbox, target, { kind: 'package', resources: [RESOURCE] });
  const sandboxCpu = sandbox.cpuSeconds() - cpu0;
  const topic = topicOf(target, RESOURCE);
  const tally = await tallyTopic(ctx.infra.brokers, topic);
  if (tally.messages !== records) {
    throw new Error(`Siphon's run ${name} left ${tally.messages} messages in ${topic}, expected ${records}`);
  }
  return { run, topic, target, tally, sandboxCpu };
}

/** Siphon alone at one size (scenario 4's small size uses this too). */
export async function siphonOnce(
  ctx: BenchContext,
  sandbox: SandboxProcess,
  records: number,
  name: string,
  client: KafkaClientName,
) {
  const { run, target, tally, sandboxCpu } = await measureSiphon(ctx, sandbox, records, name, client);
  await dropTopics(ctx, target.prefix);
  return {
    ...figures(run, records, tally.bytes, sandboxCpu),
    runSeconds: run.log.runMs && run.log.runMs / 1000,
  };
}

export async function runThroughput(
  ctx: BenchContext,
  wants: { refs: boolean; dlt: boolean },
): Promise<ThroughputData> {
  const { options } = ctx;
  const data: ThroughputData = { iterations: [], schemas: undefined, refErrors: {} };
  if (wants.dlt && options.skipDlt) data.dltSkipped = options.skipDlt;
  let runDltToo = wants.dlt && !options.skipDlt;
  if (runDltToo) {
    try {
      ensureDlt(ctx.log);
    } catch (error) {
      data.dltError = (error as Error).message;
      runDltToo = false;
    }
  }

  ctx.log(`scenarios 1/2/4/6: sandbox with ${options.records} ${RESOURCE}`);
  const sandbox = await startSandboxProcess({ billing: { [RESOURCE]: options.records } });
  const dltSandbox =
    runDltToo && options.dltRecords !== options.records
      ? await startSandboxProcess({ billing: { [RESOURCE]: options.dltRecords } })
      : sandbox;
  try {
    const total = options.warmup + options.runs;
    for (let i = 0; i < total; i++) {
      const warmup = i < options.warmup;
      const label = `${warmup ? 'warm-up' : 'run'} ${warmup ? i + 1 : i - options.warmup + 1}`;
      const iteration: Iteration = { index: i, warmup, siphon: {}, refs: {} };

      const siphonStep = (client: KafkaClientName) => async () => {
        ctx.log(`  ${label}: Siphon (${client}), ${options.records} records`);
        const { run, topic, target, tally, sandboxCpu } = await measureSiphon(
          ctx,
          sandbox,
          options.records,
          `e2e-${client}-${i}`,
          client,
        );
        data.schemas ??= await schemasOf(ctx.infra.registryUrl, topic);
        await dropTopics(ctx, target.prefix);
        const siphon = {
          ...figures(run, options.records, tally.bytes, sandboxCpu),
          runSeconds: run.log.runMs && run.log.runMs / 1000,
          timeline: run.log.timeline,
        };
        iteration.siphon[client] = siphon;
        ctx.log(
          `    ${siphon.recordsPerSecond} records/s, ${siphon.cpuSeconds} CPU s, ${siphon.peakRssMB} MB peak RSS`,
        );
      };
      const refStep = (reference: Reference) => async () => {
        // The floors encode with the schemas Siphon registered: iteration 0 always runs Siphon first.
        if (data.refErrors[reference] || !data.schemas) return;
        const { label: name } = REFERENCES[reference];
        ctx.log(`  ${label}: ${name}, ${options.records} records`);
        const topic = `${ctx.tag}-${reference}-${i}`;
        const cpu0 = sandbox.cpuSeconds();
        try {
          const run = await runFloor(sandbox, {
            reference,
            brokers: ctx.infra.brokers,
            topic,
            schemas: data.schemas,
            resource: RESOURCE,
            partitions: PARTITIONS,
          });
          if (run.records !== options.records)
            throw new Error(`the ${name} moved ${run.records} records, expected ${options.records}`);
          const result = figures(run, run.records, run.bytes, sandbox.cpuSeconds() - cpu0);
          iteration.refs[reference] = result;
          ctx.log(
            `    ${result.recordsPerSecond} records/s, ${result.cpuSeconds} CPU s, ${result.peakRssMB} MB peak RSS`,
          );
        } catch (error) {
          data.refErrors[reference] = (error as Error).message;
          ctx.log(`    the ${name} failed: ${data.refErrors[reference]}`);
        } finally {
          if (reference !== 'ceiling') await dropTopics(ctx, topic);
        }
      };
      const steps = [
        ...options.clients.map(siphonStep),
        ...(wants.refs ? (['best', 'ceiling', 'naive'] as const).map(refStep) : []),
      ];
      // Every contender goes first in turn; iteration 0 starts with Siphon (the floors need its schemas).
      for (const step of rotate(i, steps)) await step();
      if (Object.keys(iteration.siphon).length === 0) throw new Error(`iteration ${i} has no Siphon figures`);

      // dlt gets no warm-up of its own: CPython has no JIT to warm, and the sandbox, broker and disk
      // are warm from the other contenders' warm-up. It runs on fewer records (it is by far the slowest).
      if (runDltToo && !warmup) {
        ctx.log(`  ${label}: dlt, ${options.dltRecords} records`);
        const cpu0 = dltSandbox.cpuSeconds();
        try {
          const run = await runDlt(dltSandbox, RESOURCE);
          if (run.records !== options.dltRecords) {
            throw new Error(`dlt loaded ${run.records} records, expected ${options.dltRecords}`);
          }
          iteration.dlt = {
            ...figures(run, run.records, Number.NaN, dltSandbox.cpuSeconds() - cpu0),
            steps: run.steps,
            version: run.version,
          };
          data.dltAdaptations = run.adaptations;
          ctx.log(
            `    ${iteration.dlt.recordsPerSecond} records/s, ${iteration.dlt.cpuSeconds} CPU s, ${iteration.dlt.peakRssMB} MB peak RSS`,
          );
        } catch (error) {
          data.dltError = (error as Error).message;
          runDltToo = false;
          ctx.log(`    dlt failed: ${data.dltError}`);
        }
      }
      data.iterations.push(iteration);
    }
  } finally {
    await sandbox.close();
    if (dltSandbox !== sandbox) await dltSandbox.close();
  }
  return data;
}

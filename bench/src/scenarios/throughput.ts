/**
 * Scenarios 1, 2 and 6 (and the large size of 4) share one sandbox resource and run side by side in
 * every iteration: Siphon end to end into Kafka, the hand-written floor, and dlt to local files. The
 * first `warmup` iterations are discarded; each measured iteration yields its own ratios.
 */
import { alternate, type BenchContext, dropTopics } from '../context.ts';
import { type FloorSchemas, runFloor, schemasOf } from '../floor-run.ts';
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
  siphon: SiphonFigures;
  floor?: ProcessFigures;
  dlt?: DltFigures;
}

export interface ThroughputData {
  iterations: Iteration[];
  schemas: FloorSchemas | undefined;
  dltSkipped?: string;
  dltAdaptations?: string[];
  dltError?: string;
  floorError?: string;
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

async function measureSiphon(ctx: BenchContext, sandbox: SandboxProcess, records: number, name: string) {
  const target: SiphonTarget = {
    brokers: ctx.infra.brokers,
    registryUrl: ctx.infra.registryUrl,
    prefix: `${ctx.tag}-${name}`,
  };
  const cpu0 = sandbox.cpuSeconds();
  const run = await runSiphon(sandbox, target, { kind: 'package', resources: [RESOURCE] });
  const sandboxCpu = sandbox.cpuSeconds() - cpu0;
  const topic = topicOf(target, RESOURCE);
  const tally = await tallyTopic(ctx.kafka, topic, records);
  if (tally.messages !== records) {
    throw new Error(`Siphon's run ${name} left ${tally.messages} messages in ${topic}, expected ${records}`);
  }
  return { run, topic, target, tally, sandboxCpu };
}

/** Siphon alone at one size (scenario 4's small size uses this too). */
export async function siphonOnce(ctx: BenchContext, sandbox: SandboxProcess, records: number, name: string) {
  const { run, target, tally, sandboxCpu } = await measureSiphon(ctx, sandbox, records, name);
  await dropTopics(ctx, target.prefix);
  return {
    ...figures(run, records, tally.bytes, sandboxCpu),
    runSeconds: run.log.runMs && run.log.runMs / 1000,
  };
}

export async function runThroughput(
  ctx: BenchContext,
  wants: { floor: boolean; dlt: boolean },
): Promise<ThroughputData> {
  const { options } = ctx;
  const data: ThroughputData = { iterations: [], schemas: undefined };
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
      const result: { siphon?: SiphonFigures; floor?: ProcessFigures } = {};

      const doSiphon = async () => {
        ctx.log(`  ${label}: Siphon, ${options.records} records`);
        const { run, topic, target, tally, sandboxCpu } = await measureSiphon(
          ctx,
          sandbox,
          options.records,
          `e2e-${i}`,
        );
        data.schemas ??= await schemasOf(ctx.infra.registryUrl, topic);
        await dropTopics(ctx, target.prefix);
        const siphon = {
          ...figures(run, options.records, tally.bytes, sandboxCpu),
          runSeconds: run.log.runMs && run.log.runMs / 1000,
          timeline: run.log.timeline,
        };
        result.siphon = siphon;
        ctx.log(
          `    ${siphon.recordsPerSecond} records/s, ${siphon.cpuSeconds} CPU s, ${siphon.peakRssMB} MB peak RSS`,
        );
      };
      const doFloor = async () => {
        // The floor encodes with the schemas Siphon registered: iteration 0 always runs Siphon first.
        if (!wants.floor || data.floorError || !data.schemas) return;
        ctx.log(`  ${label}: floor, ${options.records} records`);
        const topic = `${ctx.tag}-floor-${i}`;
        const cpu0 = sandbox.cpuSeconds();
        try {
          const run = await runFloor(sandbox, {
            brokers: ctx.infra.brokers,
            topic,
            schemas: data.schemas,
            resource: RESOURCE,
            partitions: PARTITIONS,
          });
          const floor = figures(run, run.records, run.bytes, sandbox.cpuSeconds() - cpu0);
          result.floor = floor;
          ctx.log(
            `    ${floor.recordsPerSecond} records/s, ${floor.cpuSeconds} CPU s, ${floor.peakRssMB} MB peak RSS`,
          );
        } catch (error) {
          data.floorError = (error as Error).message;
          ctx.log(`    the floor failed: ${data.floorError}`);
        } finally {
          await dropTopics(ctx, topic);
        }
      };
      for (const step of alternate(i, doSiphon, doFloor)) await step();
      if (!result.siphon) throw new Error(`iteration ${i} has no Siphon figures`);

      let dlt: DltFigures | undefined;
      // dlt gets no warm-up of its own: CPython has no JIT to warm, and the sandbox, broker and disk
      // are warm from Siphon's and the floor's warm-up. A 1,000,000-record dlt run takes many minutes.
      if (runDltToo && !warmup) {
        ctx.log(`  ${label}: dlt, ${options.dltRecords} records`);
        const cpu0 = dltSandbox.cpuSeconds();
        try {
          const run = await runDlt(dltSandbox, RESOURCE);
          if (run.records !== options.dltRecords) {
            throw new Error(`dlt loaded ${run.records} records, expected ${options.dltRecords}`);
          }
          dlt = {
            ...figures(run, run.records, Number.NaN, dltSandbox.cpuSeconds() - cpu0),
            steps: run.steps,
            version: run.version,
          };
          data.dltAdaptations = run.adaptations;
          ctx.log(
            `    ${dlt.recordsPerSecond} records/s, ${dlt.cpuSeconds} CPU s, ${dlt.peakRssMB} MB peak RSS`,
          );
        } catch (error) {
          data.dltError = (error as Error).message;
          runDltToo = false;
          ctx.log(`    dlt failed: ${data.dltError}`);
        }
      }
      data.iterations.push({
        index: i,
        warmup,
        siphon: result.siphon,
        ...(result.floor ? { floor: result.floor } : {}),
        ...(dlt ? { dlt } : {}),
      });
    }
  } finally {
    await sandbox.close();
    if (dltSandbox !== sandbox) await dltSandbox.close();
  }
  return data;
}

/**
 * `pnpm bench`: Siphon's benchmark. Starts what it needs (the sandbox as a subprocess, the local
 * Kafka + registry when not running), runs the selected scenarios with a discarded warm-up and N
 * measured runs, cleans up, writes bench/results/<date>.json (+ .md) and prints the markdown table.
 * See bench/README.md.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KafkaClientName } from '@siphon/sink-kafka';
import { parseBenchArgs, type ScenarioId, USAGE } from './src/args.ts';
import { killTracked } from './src/children.ts';
import {
  type BenchContext,
  dropEverything,
  dropTopics,
  failed,
  type ScenarioReport,
  skipped,
} from './src/context.ts';
import { ensureInfra } from './src/infra.ts';
import { kafkaPort } from './src/kafka.ts';
import { RUNNER_CLI, SANDBOX_CLI } from './src/paths.ts';
import { type ProfileSummary, summarizeProfile } from './src/profile.ts';
import {
  type BenchReport,
  endToEndReport,
  latencyReport,
  machineInfo,
  markdownTable,
  memoryReport,
  peerReport,
  profileMarkdown,
  rateReport,
  referencesReport,
  settingsOf,
  targetsTable,
  title,
} from './src/report.ts';
import { startSandboxProcess } from './src/sandbox.ts';
import { runLatency } from './src/scenarios/latency.ts';
import { runMemory } from './src/scenarios/memory.ts';
import { runRateLimit } from './src/scenarios/rate-limit.ts';
import { RESOURCE, runThroughput, type ThroughputData } from './src/scenarios/throughput.ts';
import { runSiphon } from './src/siphon.ts';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// kafkajs 2.2.4 (behind the port's kafkajs adapter, which the harness's admin uses) sets a timer from a negative duration on Node >= 24 (harmless, noisy): hide only that.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning')
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

/** How this run was started, as a reader would retype it. */
function invocation(argv: string[]): string {
  const args = argv.join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `pnpm bench${args ? ` -- ${args}` : ''}`;
  const root = process.env.SIPHON_BENCH_CODE_ROOT;
  return `${root ? `SIPHON_BENCH_CODE_ROOT=${root} ` : ''}node bench/run.ts${args ? ` ${args}` : ''}`;
}

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

async function profileOnce(ctx: BenchContext, dir: string, client: KafkaClientName): Promise<ProfileSummary> {
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const records = ctx.options.profileRecords;
  const sandbox = await startSandboxProcess({ billing: { [RESOURCE]: records } });
  let timeline: ProfileSummary['timeline'];
  const target = {
    brokers: ctx.infra.brokers,
    registryUrl: ctx.infra.registryUrl,
    prefix: `${ctx.tag}-prof-${client}`,
    client,
  };
  try {
    log(`profile: Siphon (${client}) under --cpu-prof, ${records} records`);
    const run = await runSiphon(
      sandbox,
      target,
      { kind: 'package', resources: [RESOURCE] },
      { nodeOptions: ['--cpu-prof', '--cpu-prof-dir', dir] },
    );
    timeline = run.log.timeline;
  } finally {
    await sandbox.close();
    await dropTopics(ctx, target.prefix);
  }
  // One file per thread: the main thread's and any worker's.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (files.length === 0) throw new Error(`no .cpuprofile appeared in ${dir}`);
  return { ...summarizeProfile(files.map((f) => path.join(dir, f))), client, records, timeline };
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  for (const [what, file] of [
    ['the runner', RUNNER_CLI],
    ['the sandbox', SANDBOX_CLI],
  ] as const) {
    if (!existsSync(file)) {
      process.stderr.write(`bench: ${what} is not built (${file} is missing): run \`pnpm build\` first\n`);
      return 2;
    }
  }

  const started = Date.now();
  const infra = await ensureInfra(log);
  const ctx: BenchContext = {
    options,
    infra,
    kafka: kafkaPort(infra.brokers),
    tag: `siphon-bench-${Date.now().toString(36)}-${process.pid}`,
    log,
  };
  // Ctrl-C or a kill: stop the sandbox and the measured process, delete this run's topics, then exit.
  let interrupted = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping ${killTracked()} child process(es) and cleaning up (again to exit at once)`);
    dropEverything(ctx)
      .catch(() => undefined)
      .finally(() => {
        infra.release();
        process.exit(130);
      });
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const want = (id: ScenarioId) => options.scenarios.has(id);
  const reports = new Map<ScenarioId, ScenarioReport>();
  const profiles: ProfileSummary[] = [];
  try {
    if (want(1) || want(2) || want(4) || want(6)) {
      let data: ThroughputData | undefined;
      try {
        data = await runThroughput(ctx, { refs: want(1) || want(2), dlt: want(6) });
      } catch (error) {
        log(`end-to-end runs failed: ${(error as Error).message}`);
        for (const id of [1, 2, 4, 6] as const)
          if (want(id)) reports.set(id, failed(id, title(id, options), error));
      }
      if (data) {
        if (want(1)) reports.set(1, endToEndReport(data, options));
        if (want(2)) reports.set(2, referencesReport(data, options));
        if (want(6)) reports.set(6, peerReport(data, options));
        if (want(4)) {
          try {
            reports.set(4, memoryReport(await runMemory(ctx), data, options));
          } catch (error) {
            log(`scenario 4 failed: ${(error as Error).message}`);
            reports.set(4, failed(4, title(4, options), error));
          }
        }
      }
    }
    if (want(3)) {
      try {
        reports.set(3, latencyReport(await runLatency(ctx), options));
      } catch (error) {
        log(`scenario 3 failed: ${(error as Error).message}`);
        reports.set(3, failed(3, title(3, options), error));
      }
    }
    if (want(5)) {
      try {
        reports.set(5, rateReport(await runRateLimit(ctx), options));
      } catch (error) {
        log(`scenario 5 failed: ${(error as Error).message}`);
        reports.set(5, failed(5, title(5, options), error));
      }
    }
    if (options.profile) {
      for (const client of options.clients) {
        try {
          profiles.push(await profileOnce(ctx, options.outDir, client));
        } catch (error) {
          log(`profiling (${client}) failed: ${(error as Error).message}`);
        }
      }
    }
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await dropEverything(ctx);
    await ctx.kafka.close();
    infra.release();
  }

  const ordered = [...options.scenarios]
    .sort()
    .map((id) => reports.get(id) ?? skipped(id, title(id, options), 'not run'));
  const targets = targetsTable(ordered);
  const table = markdownTable(ordered);
  const notes = ordered.flatMap((r) => (r.notes.length > 0 ? [`${r.id}. ${r.notes.join(' ')}`] : []));
  const command = invocation(options.argv);
  const markdown = [
    `Command: \`${command}\` (${today()}, ${Math.round((Date.now() - started) / 60_000)} min)`,
    '',
    'Targets:',
    '',
    targets,
    '',
    'Scenarios:',
    '',
    table,
    '',
    ...notes,
    ...profiles.flatMap((p) => ['', profileMarkdown(p)]),
  ].join('\n');
  const report: BenchReport = {
    date: new Date().toISOString(),
    command,
    durationMinutes: Math.round((Date.now() - started) / 6000) / 10,
    machine: machineInfo(),
    settings: settingsOf(options),
    scenarios: ordered,
    ...(profiles.length > 0 ? { profiles } : {}),
    markdown,
  };
  mkdirSync(options.outDir, { recursive: true });
  const base = path.join(options.outDir, `${today()}${options.smoke ? '-smoke' : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${markdown}\n`);
  process.stdout.write(`${markdown}\n\nReport: ${base}.json\n`);
  return ordered.some((r) => r.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);

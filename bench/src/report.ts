/**
 * Turns the scenarios' raw data into the report: per scenario a headline ratio (measured within the
 * same iteration, so machine noise cancels), its target, and the absolute figures beside it; then
 * the JSON file and the markdown table.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { BenchOptions } from './args.ts';
import type { ScenarioReport } from './context.ts';
import type { ProfileSummary } from './profile.ts';
import type { LatencyData } from './scenarios/latency.ts';
import type { MemoryData } from './scenarios/memory.ts';
import type { RateData } from './scenarios/rate-limit.ts';
import type { ThroughputData } from './scenarios/throughput.ts';
import { round, type Summary, summarize, summarizeBy } from './stats.ts';

const TITLES = {
  1: 'End to end (sandbox → Kafka, Avro, transactions)',
  2: 'The floor (hand-written loop, no Siphon code)',
  3: 'Latency hiding (12 resources, +50 ms per page)',
  4: 'Memory (peak RSS at two sizes)',
  5: 'Rate limit (sandbox 429s past the limit, budget set to it)',
  6: 'A peer: dlt rest_api → local jsonl',
} as const;

export function title(id: keyof typeof TITLES, options: BenchOptions): string {
  if (id === 3)
    return `Latency hiding (12 resources × ${fmtInt(options.latencyRecords)}, +${options.latencyMs} ms per page)`;
  if (id === 5)
    return `Rate limit (${options.rateLimit.requests}/${options.rateLimit.windowSeconds}s, ${fmtInt(options.rateRecords)} records)`;
  return TITLES[id];
}

function measured(data: ThroughputData) {
  return data.iterations.filter((i) => !i.warmup);
}

export function endToEndReport(data: ThroughputData, options: BenchOptions): ScenarioReport {
  const runs = measured(data);
  const withFloor = runs.filter((r) => r.floor);
  const report: ScenarioReport = {
    id: 1,
    title: title(1, options),
    status: 'ok',
    figures: {
      'records/s': summarizeBy(runs, (r) => r.siphon.recordsPerSecond),
      'MB/s produced': summarizeBy(runs, (r) => r.siphon.mbPerSecond),
      'CPU s': summarizeBy(runs, (r) => r.siphon.cpuSeconds),
      'peak RSS MB': summarizeBy(runs, (r) => r.siphon.peakRssMB),
      'wall s': summarizeBy(runs, (r) => r.siphon.wallSeconds),
      'sandbox CPU s': summarizeBy(runs, (r) => r.siphon.sandboxCpuSeconds),
    },
    runs: runs.map((r) => r.siphon),
    notes: [
      `${fmtInt(options.records)} invoices, 200 per page, one resource, via the billing source package (declared Avro schemas, default settings: snapshot delete detection, 1 s transactions, zstd).`,
      'MB/s produced = key + value bytes of the messages read back from the topic (read_committed), ÷ wall time of the runner process.',
    ],
  };
  if (withFloor.length > 0) {
    report.headline = {
      label: 'CPU seconds, Siphon ÷ floor',
      ratio: summarizeBy(withFloor, (r) => r.siphon.cpuSeconds / (r.floor?.cpuSeconds ?? Number.NaN)),
    };
  }
  return report;
}

export function floorReport(data: ThroughputData, options: BenchOptions): ScenarioReport {
  const runs = measured(data).filter((r) => r.floor);
  if (runs.length === 0) {
    return {
      id: 2,
      title: title(2, options),
      status: 'failed',
      reason: data.floorError ?? 'no floor run',
      figures: {},
      runs: [],
      notes: [],
    };
  }
  const ratio = summarizeBy(
    runs,
    (r) => r.siphon.recordsPerSecond / (r.floor?.recordsPerSecond ?? Number.NaN),
  );
  return {
    id: 2,
    title: title(2, options),
    status: 'ok',
    headline: { label: 'records/s, Siphon ÷ floor', ratio, target: '≥ 0.8', met: ratio.median >= 0.8 },
    figures: {
      'floor records/s': summarizeBy(runs, (r) => r.floor?.recordsPerSecond ?? Number.NaN),
      'floor MB/s': summarizeBy(runs, (r) => r.floor?.mbPerSecond ?? Number.NaN),
      'floor CPU s': summarizeBy(runs, (r) => r.floor?.cpuSeconds ?? Number.NaN),
      'floor peak RSS MB': summarizeBy(runs, (r) => r.floor?.peakRssMB ?? Number.NaN),
      'Siphon records/s': summarizeBy(runs, (r) => r.siphon.recordsPerSecond),
    },
    runs: runs.map((r) => r.floor),
    notes: [
      "bench/floor.ts: token, page fetches one ahead, JSON.parse, avsc with the key/value schemas Siphon registered (Confluent framing), kafkajs transactional sendBatch per 1 MiB or 100 ms, commit per 1 s, zstd: the sink's defaults.",
      'Siphon and the floor alternate which goes first in each iteration.',
    ],
  };
}

export function memoryReport(
  memory: MemoryData,
  data: ThroughputData,
  options: BenchOptions,
): ScenarioReport {
  const large = measured(data).map((r) => r.siphon.peakRssMB);
  const small = memory.runs.map((r) => r.peakRssMB);
  const n = Math.min(large.length, small.length);
  const ratio = summarize(Array.from({ length: n }, (_, i) => (large[i] as number) / (small[i] as number)));
  const worst = Math.max(...large, ...small);
  const smallKey = `peak RSS MB at ${fmtInt(memory.records)}`;
  const largeKey = `peak RSS MB at ${fmtInt(options.records)}`;
  return {
    id: 4,
    title: title(4, options),
    status: 'ok',
    headline: {
      label: `peak RSS at ${fmtInt(options.records)} ÷ at ${fmtInt(memory.records)} records`,
      ratio,
      target: 'both < 200 MB, flat (≤ 1.25)',
      met: worst < 200 && ratio.median <= 1.25,
    },
    figures: { [smallKey]: summarize(small), [largeKey]: summarize(large) },
    runs: memory.runs,
    notes: [
      'The large size is scenario 1\'s runs; "flat" is read as a ratio of at most 1.25 for 10× the records.',
    ],
  };
}

export function latencyReport(data: LatencyData, options: BenchOptions): ScenarioReport {
  const ratio = summarizeBy(data.iterations, (i) => i.all.wallSeconds / i.one.wallSeconds);
  const inRun = summarizeBy(
    data.iterations,
    (i) => (i.all.runSeconds ?? Number.NaN) / (i.one.runSeconds ?? Number.NaN),
  );
  return {
    id: 3,
    title: title(3, options),
    status: 'ok',
    headline: {
      label: `wall time, all 12 ÷ slowest alone (${data.slowest})`,
      ratio,
      target: '≤ 1.25',
      met: ratio.median <= 1.25,
    },
    figures: {
      'all 12 wall s': summarizeBy(data.iterations, (i) => i.all.wallSeconds),
      'slowest alone wall s': summarizeBy(data.iterations, (i) => i.one.wallSeconds),
      'ratio of in-run durations': inRun,
      'all 12 peak RSS MB': summarizeBy(data.iterations, (i) => i.all.peakRssMB),
    },
    runs: data.iterations,
    notes: [
      `Default settings (pipeline concurrency default, per-host limits default). Each resource alone, once: ${
        Object.entries(data.alone)
          .map(([r, s]) => `${r} ${s} s`)
          .join(', ') || 'not measured (smoke: invoices stands for the slowest)'
      }.`,
      'Wall time is the runner process from start to exit; "in-run" is the runner\'s own `run finished` duration.',
    ],
  };
}

export function rateReport(data: RateData, options: BenchOptions): ScenarioReport {
  const ratio = summarizeBy(data.runs, (r) => r.wallSeconds / data.theoreticalMinSeconds);
  const worst429 = Math.max(...data.runs.map((r) => r.pct429));
  return {
    id: 5,
    title: title(5, options),
    status: 'ok',
    headline: {
      label: `wall time ÷ theoretical minimum (${data.theoreticalMinSeconds} s for ${data.pages} pages)`,
      ratio,
      target: 'completes, < 1% 429s',
      met: data.runs.length === options.runs && worst429 < 1,
    },
    figures: {
      'wall s': summarizeBy(data.runs, (r) => r.wallSeconds),
      '429 responses': summarizeBy(data.runs, (r) => r.status429),
      '429 % of requests': summarizeBy(data.runs, (r) => r.pct429),
      'API requests': summarizeBy(data.runs, (r) => r.apiRequests),
    },
    runs: data.runs,
    notes: [
      `The billing seed file as written (rest_api_file), overrides: the sandbox URLs and client.rate_limit = {requests: ${options.rateLimit.requests}, interval_seconds: ${options.rateLimit.windowSeconds}}.`,
      'Theoretical minimum: every full budget after the first waits one more window. No warm-up: the figure is waiting time.',
    ],
  };
}

export function peerReport(data: ThroughputData, options: BenchOptions): ScenarioReport {
  const runs = measured(data).filter((r) => r.dlt);
  if (runs.length === 0) {
    const reason = data.dltSkipped ?? data.dltError ?? 'no dlt run';
    return {
      id: 6,
      title: title(6, options),
      status: data.dltSkipped ? 'skipped' : 'failed',
      reason,
      figures: {},
      runs: [],
      notes: [],
    };
  }
  const version = runs[0]?.dlt?.version ?? '?';
  return {
    id: 6,
    title: title(6, options),
    status: 'ok',
    headline: {
      label: 'records/s, Siphon (to Kafka) ÷ dlt (to local jsonl)',
      ratio: summarizeBy(runs, (r) => r.siphon.recordsPerSecond / (r.dlt?.recordsPerSecond ?? Number.NaN)),
    },
    figures: {
      'dlt records/s': summarizeBy(runs, (r) => r.dlt?.recordsPerSecond ?? Number.NaN),
      'dlt wall s': summarizeBy(runs, (r) => r.dlt?.wallSeconds ?? Number.NaN),
      'dlt CPU s': summarizeBy(runs, (r) => r.dlt?.cpuSeconds ?? Number.NaN),
      'dlt peak RSS MB': summarizeBy(runs, (r) => r.dlt?.peakRssMB ?? Number.NaN),
      'Siphon records/s': summarizeBy(runs, (r) => r.siphon.recordsPerSecond),
    },
    runs: runs.map((r) => r.dlt),
    notes: [
      `dlt ${version} (PyPI, default settings) rest_api source with the billing seed config, ${fmtInt(options.dltRecords)} invoices, filesystem destination, jsonl. Adaptations where dlt rejects or cannot run the seed:`,
      ...(data.dltAdaptations ?? []).map((a) => `- ${a}`),
      'dlt falls back from merge to append on the filesystem destination (its own warning).',
    ],
  };
}

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

function fmtNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return fmtInt(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function fmtSummary(s: Summary): string {
  if (s.n === 0) return 'n/a';
  if (s.n === 1) return fmtNumber(s.median);
  return `${fmtNumber(s.median)} (${fmtNumber(s.min)}–${fmtNumber(s.max)})`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function markdownTable(reports: ScenarioReport[]): string {
  const lines = [
    '| # | Scenario | Headline ratio: median (min–max) | Target | Met | Absolute figures: median (min–max) |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of reports) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.id} | ${escapeCell(r.title)} | ${r.status}: ${escapeCell(r.reason ?? '')} | | | |`);
      continue;
    }
    const h = r.headline;
    const headline = h ? `**${fmtSummary(h.ratio)}** ${escapeCell(h.label)}` : '';
    const met = h?.met === undefined ? '' : h.met ? 'yes' : '**no**';
    const figures = Object.entries(r.figures)
      .map(([name, s]) => `${escapeCell(name)} ${fmtSummary(s)}`)
      .join('; ');
    lines.push(
      `| ${r.id} | ${escapeCell(r.title)} | ${headline} | ${h?.target ?? ''} | ${met} | ${figures} |`,
    );
  }
  return lines.join('\n');
}

export function profileMarkdown(summary: ProfileSummary): string {
  const lines = [
    `Profile of one Siphon end-to-end run (\`node --cpu-prof\`): ${fmtInt(summary.busyMs)} ms busy, ${fmtInt(summary.idleMs)} ms idle.`,
    '',
    '| Self time by package | ms | % of busy |',
    '|---|---|---|',
    ...summary.byPackage.slice(0, 12).map((p) => `| ${p.name} | ${fmtInt(p.selfMs)} | ${p.pct} |`),
    '',
    '| Top functions by self time | where | ms | % of busy |',
    '|---|---|---|---|',
    ...summary.topFunctions.map(
      (f) => `| ${escapeCell(f.name)} | ${escapeCell(f.where)} | ${fmtInt(f.selfMs)} | ${f.pct} |`,
    ),
  ];
  return lines.join('\n');
}

export interface BenchReport {
  date: string;
  command: string;
  durationMinutes: number;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  scenarios: ScenarioReport[];
  profile?: ProfileSummary;
  markdown: string;
}

export function machineInfo(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    kernel: release(),
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
  };
}

export function settingsOf(options: BenchOptions): Record<string, unknown> {
  return {
    scenarios: [...options.scenarios].sort(),
    records: options.records,
    memoryRecords: options.memoryRecords,
    dltRecords: options.dltRecords,
    runs: options.runs,
    warmup: options.warmup,
    latencyRecords: options.latencyRecords,
    latencyMs: options.latencyMs,
    rateRecords: options.rateRecords,
    rateLimit: `${options.rateLimit.requests}/${options.rateLimit.windowSeconds}`,
    smoke: options.smoke,
  };
}

/**
 * Turns the scenarios' raw data into the report: per scenario a headline ratio (measured within the
 * same iteration, so machine noise cancels), its target, and the absolute figures beside it; then
 * the JSON file and the markdown table.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { BenchOptions } from './args.ts';
import { failed, type Headline, type ScenarioReport, skipped } from './context.ts';
import { REFERENCES, type Reference } from './floor-run.ts';
import type { ProfileSummary } from './profile.ts';
import type { LatencyData } from './scenarios/latency.ts';
import type { MemoryData } from './scenarios/memory.ts';
import type { RateData } from './scenarios/rate-limit.ts';
import type { ProcessFigures, SiphonFigures, ThroughputData } from './scenarios/throughput.ts';
import { round, type Summary, summarize, summarizeBy } from './stats.ts';

const TITLES = {
  1: 'End to end (sandbox → Kafka, Avro, transactions)',
  2: 'References: source ceiling, best floor, naive floor',
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

/** A target as the issue states it: the median must be `op` `bound`. */
export interface Target {
  op: '≥' | '≤' | '<';
  bound: number;
}

/** Whether a measured value meets its target, and by how much it misses or clears it. */
export function judge(value: number, target: Target): { met: boolean; margin: string } {
  if (!Number.isFinite(value)) return { met: false, margin: 'not measured' };
  const { op, bound } = target;
  const met = op === '≥' ? value >= bound : op === '≤' ? value <= bound : value < bound;
  const pct = (x: number) => `${Math.round(Math.abs(x) * 100)}%`;
  if (op === '≥')
    return { met, margin: met ? `${pct(value / bound - 1)} to spare` : `${pct(1 - value / bound)} short` };
  return { met, margin: met ? `${pct(1 - value / bound)} to spare` : `${pct(value / bound - 1)} over` };
}

function targeted(
  label: string,
  client: string | undefined,
  ratio: Summary,
  target: Target,
  value = ratio.median,
): Headline {
  return {
    label,
    ...(client ? { client } : {}),
    ratio,
    target: `${target.op} ${target.bound}`,
    ...judge(value, target),
  };
}

/** `name [client]`: a figure of that adapter's rows. */
function per(name: string, client: string): string {
  return `${name} [${client}]`;
}

function measured(data: ThroughputData) {
  return data.iterations.filter((i) => !i.warmup);
}

export const TARGETS = {
  bestFloor: { op: '≥', bound: 0.8 },
  ceiling: { op: '≥', bound: 0.7 },
  cpuPerRecord: { op: '≤', bound: 1.2 },
  latency: { op: '≤', bound: 1.25 },
  rssMB: { op: '<', bound: 200 },
  flat: { op: '≤', bound: 1.25 },
  dlt: { op: '≥', bound: 8 },
} as const satisfies Record<string, Target>;

const cpuPerRecord = (f: { cpuSeconds: number; records: number }) => f.cpuSeconds / f.records;

export function endToEndReport(data: ThroughputData, options: BenchOptions): ScenarioReport {
  const runs = measured(data);
  const figures: Record<string, Summary> = {};
  const headlines: Headline[] = [];
  for (const client of options.clients) {
    const mine = runs.filter((r) => r.siphon[client]);
    const pick = (f: (s: SiphonFigures) => number) =>
      summarizeBy(mine, (r) => f(r.siphon[client] as SiphonFigures));
    figures[per('records/s', client)] = pick((s) => s.recordsPerSecond);
    figures[per('MB/s produced', client)] = pick((s) => s.mbPerSecond);
    figures[per('CPU s', client)] = pick((s) => s.cpuSeconds);
    figures[per('CPU µs per record', client)] = pick((s) => cpuPerRecord(s) * 1e6);
    figures[per('peak RSS MB', client)] = pick((s) => s.peakRssMB);
    figures[per('wall s', client)] = pick((s) => s.wallSeconds);
    figures[per('sandbox CPU s', client)] = pick((s) => s.sandboxCpuSeconds);
    const withBest = mine.filter((r) => r.refs.best);
    if (withBest.length > 0) {
      headlines.push(
        targeted(
          'CPU per record, Siphon ÷ best floor',
          client,
          summarizeBy(
            withBest,
            (r) =>
              cpuPerRecord(r.siphon[client] as SiphonFigures) / cpuPerRecord(r.refs.best as ProcessFigures),
          ),
          TARGETS.cpuPerRecord,
        ),
      );
    }
  }
  return {
    id: 1,
    title: title(1, options),
    status: 'ok',
    headlines,
    figures,
    runs: runs.map((r) => r.siphon),
    notes: [
      `${fmtInt(options.records)} invoices, 200 per page, one resource, via the billing source package (declared Avro schemas, default settings: snapshot delete detection, 1 s transactions, zstd), once per Kafka adapter (\`kafka.client\`: ${options.clients.join(', ')}).`,
      'MB/s produced = key + value bytes of the messages read back from the topic (read_committed), ÷ wall time of the runner process.',
    ],
  };
}

export function referencesReport(data: ThroughputData, options: BenchOptions): ScenarioReport {
  const runs = measured(data);
  const errors = Object.entries(data.refErrors).map(
    ([ref, e]) => `${REFERENCES[ref as Reference].label}: ${e}`,
  );
  if (!runs.some((r) => Object.keys(r.refs).length > 0)) {
    return { ...failed(2, title(2, options), new Error(errors.join('; ') || 'no reference run')) };
  }
  const figures: Record<string, Summary> = {};
  for (const ref of ['best', 'ceiling', 'naive'] as const) {
    const mine = runs.filter((r) => r.refs[ref]);
    if (mine.length === 0) continue;
    const name = REFERENCES[ref].label;
    const pick = (f: (p: ProcessFigures) => number) =>
      summarizeBy(mine, (r) => f(r.refs[ref] as ProcessFigures));
    figures[`${name} records/s`] = pick((p) => p.recordsPerSecond);
    figures[`${name} CPU s`] = pick((p) => p.cpuSeconds);
    figures[`${name} peak RSS MB`] = pick((p) => p.peakRssMB);
  }
  const headlines: Headline[] = [];
  for (const client of options.clients) {
    const ratioTo = (ref: Reference) =>
      summarizeBy(
        runs.filter((r) => r.siphon[client] && r.refs[ref]),
        (r) =>
          (r.siphon[client] as SiphonFigures).recordsPerSecond /
          (r.refs[ref] as ProcessFigures).recordsPerSecond,
      );
    const best = ratioTo('best');
    if (best.n > 0)
      headlines.push(targeted('records/s, Siphon ÷ best floor', client, best, TARGETS.bestFloor));
    const ceiling = ratioTo('ceiling');
    if (ceiling.n > 0)
      headlines.push(targeted('records/s, Siphon ÷ source ceiling', client, ceiling, TARGETS.ceiling));
    const naive = ratioTo('naive');
    if (naive.n > 0) headlines.push({ label: 'records/s, Siphon ÷ naive floor', client, ratio: naive });
    figures[per('Siphon records/s', client)] = summarizeBy(
      runs.filter((r) => r.siphon[client]),
      (r) => (r.siphon[client] as SiphonFigures).recordsPerSecond,
    );
  }
  return {
    id: 2,
    title: title(2, options),
    status: 'ok',
    headlines,
    figures,
    runs: runs.map((r) => r.refs),
    notes: [
      "bench/floor.ts, no Siphon code except the sink's Kafka port (the only way to a Kafka client): token, page fetches, JSON.parse. Source ceiling: 3 pages in flight, nothing else (no encoding, no Kafka). Best floor: 3 pages in flight, each page encoded with avsc into one buffer (Confluent framing, the key/value schemas Siphon registered) whose views are the messages, the confluent adapter (librdkafka's native producer) with a send per page, a transaction committed every 1 s, zstd. Naive floor: 1 page ahead, a buffer per record, the kafkajs adapter, one send per 1 MiB or 100 ms, commit per 1 s, zstd.",
      'Siphon and the references take turns at going first in each iteration.',
      ...errors.map((e) => `Failed: ${e}`),
    ],
  };
}

export function memoryReport(
  memory: MemoryData,
  data: ThroughputData,
  options: BenchOptions,
): ScenarioReport {
  const smallKey = `peak RSS MB at ${fmtInt(memory.records)}`;
  const largeKey = `peak RSS MB at ${fmtInt(options.records)}`;
  const figures: Record<string, Summary> = {};
  const headlines: Headline[] = [];
  for (const client of options.clients) {
    const large = measured(data).flatMap((r) => (r.siphon[client] ? [r.siphon[client].peakRssMB] : []));
    const small = (memory.runs[client] ?? []).map((r) => r.peakRssMB);
    const n = Math.min(large.length, small.length);
    if (n === 0) continue;
    const all = summarize([...large, ...small]);
    headlines.push(
      targeted(`peak RSS MB, both sizes (met when the largest is)`, client, all, TARGETS.rssMB, all.max),
    );
    headlines.push(
      targeted(
        `peak RSS at ${fmtInt(options.records)} ÷ at ${fmtInt(memory.records)} records`,
        client,
        summarize(Array.from({ length: n }, (_, i) => (large[i] as number) / (small[i] as number))),
        TARGETS.flat,
      ),
    );
    figures[per(smallKey, client)] = summarize(small);
    figures[per(largeKey, client)] = summarize(large);
  }
  return {
    id: 4,
    title: title(4, options),
    status: headlines.length > 0 ? 'ok' : 'failed',
    ...(headlines.length > 0 ? {} : { reason: 'no run at one of the two sizes' }),
    headlines,
    figures,
    runs: Object.values(memory.runs).flat(),
    notes: [
      'The large size is scenario 1\'s runs; "flat" is read as a ratio of at most 1.25 for 10× the records.',
    ],
  };
}

export function latencyReport(data: LatencyData, options: BenchOptions): ScenarioReport {
  const figures: Record<string, Summary> = {};
  const headlines: Headline[] = [];
  for (const client of options.clients) {
    const its = data.iterations[client] ?? [];
    if (its.length === 0) continue;
    headlines.push(
      targeted(
        `wall time, all 12 ÷ slowest alone (${data.slowest})`,
        client,
        summarizeBy(its, (i) => i.all.wallSeconds / i.one.wallSeconds),
        TARGETS.latency,
      ),
    );
    figures[per('all 12 wall s', client)] = summarizeBy(its, (i) => i.all.wallSeconds);
    figures[per('slowest alone wall s', client)] = summarizeBy(its, (i) => i.one.wallSeconds);
    figures[per('ratio of in-run durations', client)] = summarizeBy(
      its,
      (i) => (i.all.runSeconds ?? Number.NaN) / (i.one.runSeconds ?? Number.NaN),
    );
    figures[per('all 12 CPU s', client)] = summarizeBy(its, (i) => i.all.cpuSeconds);
    figures[per('all 12 peak RSS MB', client)] = summarizeBy(its, (i) => i.all.peakRssMB);
  }
  return {
    id: 3,
    title: title(3, options),
    status: 'ok',
    headlines,
    figures,
    runs: Object.values(data.iterations).flat(),
    notes: [
      `Default settings (pipeline concurrency default, per-host limits default). Each resource alone, once (${options.clients[0]}): ${
        Object.entries(data.alone)
          .map(([r, s]) => `${r} ${s} s`)
          .join(', ') || 'not measured (smoke: invoices stands for the slowest)'
      }.`,
      'Wall time is the runner process from start to exit; "in-run" is the runner\'s own `run finished` duration.',
    ],
  };
}

export function rateReport(data: RateData, options: BenchOptions): ScenarioReport {
  const figures: Record<string, Summary> = {};
  const headlines: Headline[] = [];
  for (const client of options.clients) {
    const runs = data.runs.filter((r) => r.client === client);
    if (runs.length === 0) continue;
    const worst429 = Math.max(...runs.map((r) => r.pct429));
    const complete = runs.length === options.rateRuns;
    headlines.push({
      label: `wall time ÷ theoretical minimum (${data.theoreticalMinSeconds} s for ${data.pages} pages)`,
      client,
      ratio: summarizeBy(runs, (r) => r.wallSeconds / data.theoreticalMinSeconds),
      target: 'completes, < 1% 429s',
      met: complete && worst429 < 1,
      margin: `${complete ? 'all runs completed' : `${runs.length} of ${options.rateRuns} runs completed`}, at most ${worst429}% 429s`,
    });
    figures[per('wall s', client)] = summarizeBy(runs, (r) => r.wallSeconds);
    figures[per('429 % of requests', client)] = summarizeBy(runs, (r) => r.pct429);
    figures[per('API requests', client)] = summarizeBy(runs, (r) => r.apiRequests);
  }
  return {
    id: 5,
    title: title(5, options),
    status: 'ok',
    headlines,
    figures,
    runs: data.runs,
    notes: [
      `The billing seed file as written (rest_api_file), overrides: the sandbox URLs and client.rate_limit = {requests: ${options.rateLimit.requests}, interval_seconds: ${options.rateLimit.windowSeconds}}; ${options.rateRuns} run(s) per Kafka adapter, alternating.`,
      'Theoretical minimum: every full budget after the first waits one more window. No warm-up: the figure is waiting time.',
    ],
  };
}

export function peerReport(data: ThroughputData, options: BenchOptions): ScenarioReport {
  const runs = measured(data).filter((r) => r.dlt);
  if (runs.length === 0) {
    const reason = data.dltSkipped ?? data.dltError ?? 'no dlt run';
    return data.dltSkipped
      ? skipped(6, title(6, options), reason)
      : failed(6, title(6, options), new Error(reason));
  }
  const version = runs[0]?.dlt?.version ?? '?';
  const headlines: Headline[] = [];
  const figures: Record<string, Summary> = {
    'dlt records/s': summarizeBy(runs, (r) => r.dlt?.recordsPerSecond ?? Number.NaN),
    'dlt wall s': summarizeBy(runs, (r) => r.dlt?.wallSeconds ?? Number.NaN),
    'dlt CPU s': summarizeBy(runs, (r) => r.dlt?.cpuSeconds ?? Number.NaN),
    'dlt peak RSS MB': summarizeBy(runs, (r) => r.dlt?.peakRssMB ?? Number.NaN),
  };
  for (const client of options.clients) {
    const mine = runs.filter((r) => r.siphon[client]);
    if (mine.length === 0) continue;
    headlines.push(
      targeted(
        'records/s, Siphon (to Kafka) ÷ dlt (to local jsonl)',
        client,
        summarizeBy(
          mine,
          (r) =>
            (r.siphon[client] as SiphonFigures).recordsPerSecond / (r.dlt?.recordsPerSecond ?? Number.NaN),
        ),
        TARGETS.dlt,
      ),
    );
    figures[per('Siphon records/s', client)] = summarizeBy(
      mine,
      (r) => (r.siphon[client] as SiphonFigures).recordsPerSecond,
    );
  }
  return {
    id: 6,
    title: title(6, options),
    status: 'ok',
    headlines,
    figures,
    runs: runs.map((r) => r.dlt),
    notes: [
      `dlt ${version} (PyPI, default settings) rest_api source with the billing seed config, ${fmtInt(options.dltRecords)} invoices${options.dltRecords === options.records ? '' : ` (fewer than Siphon's ${fmtInt(options.records)}: dlt is by far the slowest contender; the ratio is of records/s, each run in the same iteration)`}, filesystem destination, jsonl. Adaptations where dlt rejects or cannot run the seed:`,
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

/** Figures of one row: the adapter's (`name [client]`, suffix dropped), and on the first row the shared ones. */
function rowFigures(figures: Record<string, Summary>, client: string | undefined, first: boolean): string {
  const out: string[] = [];
  for (const [name, summary] of Object.entries(figures)) {
    const match = /^(.*) \[([^\]]+)\]$/.exec(name);
    const shown = match ? (match[2] === client ? match[1] : undefined) : first ? name : undefined;
    if (shown !== undefined) out.push(`${escapeCell(shown)} ${fmtSummary(summary)}`);
  }
  return out.join('; ');
}

function metCell(h: Headline): string {
  if (h.met === undefined) return '';
  return `${h.met ? 'yes' : '**no**'}${h.margin ? ` (${escapeCell(h.margin)})` : ''}`;
}

/** One row per headline (target × Kafka adapter), the absolute figures beside it. */
export function markdownTable(reports: ScenarioReport[]): string {
  const lines = [
    '| # | Scenario | Kafka client | Headline ratio: median (min–max) | Target | Met | Absolute figures: median (min–max) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of reports) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.id} | ${escapeCell(r.title)} | | ${r.status}: ${escapeCell(r.reason ?? '')} | | | |`);
      continue;
    }
    const rows = r.headlines.length > 0 ? r.headlines : [undefined];
    const clientsShown = new Set<string | undefined>();
    rows.forEach((h, i) => {
      const headline = h ? `**${fmtSummary(h.ratio)}** ${escapeCell(h.label)}` : '';
      // An adapter's figures go on its first row only; the shared ones on the scenario's first row.
      const figures = clientsShown.has(h?.client) ? '' : rowFigures(r.figures, h?.client, i === 0);
      clientsShown.add(h?.client);
      lines.push(
        `| ${i === 0 ? r.id : ''} | ${i === 0 ? escapeCell(r.title) : ''} | ${h?.client ?? ''} | ${headline} | ${h?.target ?? ''} | ${h ? metCell(h) : ''} | ${figures} |`,
      );
    });
  }
  return lines.join('\n');
}

/** Every target of the issue, per Kafka adapter: met or not, and by how much. */
export function targetsTable(reports: ScenarioReport[]): string {
  const lines = [
    '| # | Target | Kafka client | Measured: median (min–max) | Met | By how much |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of reports) {
    for (const h of r.headlines) {
      if (h.target === undefined) continue;
      lines.push(
        `| ${r.id} | ${escapeCell(h.label)} ${escapeCell(h.target)} | ${h.client ?? ''} | ${fmtSummary(h.ratio)} | ${h.met ? 'yes' : '**no**'} | ${escapeCell(h.margin ?? '')} |`,
      );
    }
  }
  return lines.join('\n');
}

export function profileMarkdown(summary: ProfileSummary): string {
  const lines = [
    `Profile of one Siphon end-to-end run${summary.client ? ` on ${summary.client}` : ''}${summary.records ? `, ${fmtInt(summary.records)} records` : ''} (\`node --cpu-prof\`, ${summary.files.length === 1 ? 'main thread' : `${summary.files.length} threads`}): ${fmtInt(summary.busyMs)} ms busy, ${fmtInt(summary.idleMs)} ms idle.`,
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
  profiles?: ProfileSummary[];
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
    clients: options.clients,
    rateRuns: options.rateRuns,
    profileRecords: options.profile ? options.profileRecords : undefined,
    runs: options.runs,
    warmup: options.warmup,
    latencyRecords: options.latencyRecords,
    latencyMs: options.latencyMs,
    rateRecords: options.rateRecords,
    rateLimit: `${options.rateLimit.requests}/${options.rateLimit.windowSeconds}`,
    smoke: options.smoke,
  };
}

/** The harness's command line: sizes, runs and scenario selection, with a `--smoke` preset for CI. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KAFKA_CLIENTS, type KafkaClientName } from '@siphon/sink-kafka';
import { BENCH_DIR, BENCH_VENV } from './paths.ts';

export const ALL_SCENARIOS = [1, 2, 3, 4, 5, 6] as const;
export type ScenarioId = (typeof ALL_SCENARIOS)[number];

export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

export interface BenchOptions {
  scenarios: Set<ScenarioId>;
  /** Records of the end-to-end resource (scenarios 1, 2, 4's large size, 6). */
  records: number;
  /** Records of scenario 4's small size. */
  memoryRecords: number;
  /** Scenario 6's size (dlt is the slowest contender by far): 200,000 unless told. */
  dltRecords: number;
  /** The Kafka adapters every Siphon scenario runs on (`kafka.client`). */
  clients: KafkaClientName[];
  /** Measured runs per scenario (after the warm-up). */
  runs: number;
  /** Warm-up runs discarded before measuring. */
  warmup: number;
  latencyRecords: number;
  latencyMs: number;
  /** Run every resource alone once to find the slowest; otherwise invoices stands for it. */
  latencyDiscover: boolean;
  rateRecords: number;
  rateLimit: RateLimit;
  /** Runs of scenario 5 per client (it waits for a budget: each run takes over a minute). */
  rateRuns: number;
  outDir: string;
  smoke: boolean;
  /** Also profile one Siphon end-to-end run per client with --cpu-prof and summarise it. */
  profile: boolean;
  /** Records of the profiled runs. */
  profileRecords: number;
  keepTopics: boolean;
  /** Scenario 6 is skipped (smoke runs without the dlt venv): the reason, else undefined. */
  skipDlt: string | undefined;
  argv: string[];
}

export const USAGE = `pnpm bench [-- options]

Runs Siphon's benchmark scenarios against the sandbox (a subprocess) and the local Kafka + registry,
writes bench/results/<YYYY-MM-DD>.json and prints a markdown table.

  --scenarios 1,2,...     which scenarios (default all: 1 end to end, 2 floor, 3 latency hiding,
                          4 memory, 5 rate limit, 6 dlt peer)
  --records N             records of the end-to-end resource (default 1000000)
  --memory-records N      scenario 4's small size (default records / 10)
  --dlt-records N         scenario 6's size (default 200000, or --records when smaller)
  --clients A,B           Kafka adapters Siphon runs on (default kafkajs,confluent)
  --runs N                measured runs per scenario (default 3)
  --warmup N              discarded warm-up runs (default 1)
  --latency-records N     records per resource in scenario 3 (default 20000)
  --latency-ms MS         latency the sandbox adds per page in scenario 3 (default 50)
  --rate-records N        records in scenario 5 (default 200000: 1000 pages)
  --rate-limit R/S        sandbox limit and pipeline budget in scenario 5 (default 600/60)
  --rate-runs N           scenario 5's runs per client (default 2; --runs when smaller)
  --smoke                 10000 records, 1 run, no warm-up, small scenario 3 and 5, dlt only if
                          its venv exists (what CI runs)
  --profile               also run Siphon once per client under node --cpu-prof and list the
                          top functions and per-package shares (default on, except in --smoke)
  --no-profile            skip it
  --profile-records N     records of the profiled runs (default 200000, or --records when smaller)
  --keep-topics           keep the topics and subjects the runs created
  --out DIR               where the report goes (default bench/results)
  -h, --help
`;

function count(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} expects a whole number >= ${min}, got "${raw}"`);
  return n;
}

function rateLimit(raw: string): RateLimit {
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  if (!match) throw new Error(`--rate-limit expects REQUESTS/SECONDS such as 600/60, got "${raw}"`);
  return { requests: Number(match[1]), windowSeconds: Number(match[2]) };
}

function scenarios(raw: string): Set<ScenarioId> {
  const out = new Set<ScenarioId>();
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const n = Number(part);
    if (!(ALL_SCENARIOS as readonly number[]).includes(n)) {
      throw new Error(
        `--scenarios: "${part}" is not a scenario; expected numbers among ${ALL_SCENARIOS.join(', ')}`,
      );
    }
    out.add(n as ScenarioId);
  }
  if (out.size === 0) throw new Error('--scenarios lists no scenario');
  return out;
}

function clients(raw: string): KafkaClientName[] {
  const out: KafkaClientName[] = [];
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(KAFKA_CLIENTS as readonly string[]).includes(part)) {
      throw new Error(`--clients: "${part}" is not a Kafka adapter; expected ${KAFKA_CLIENTS.join(' or ')}`);
    }
    if (!out.includes(part as KafkaClientName)) out.push(part as KafkaClientName);
  }
  if (out.length === 0) throw new Error('--clients lists no adapter');
  return out;
}

/** Parses argv (a leading `--` from `pnpm bench -- ...` is ignored); throws on bad input. */
export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const { values: v } = parseArgs({
    args,
    strict: true,
    allowNegative: true,
    options: {
      scenarios: { type: 'string' },
      records: { type: 'string' },
      'memory-records': { type: 'string' },
      'dlt-records': { type: 'string' },
      clients: { type: 'string' },
      'rate-runs': { type: 'string' },
      'profile-records': { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'latency-records': { type: 'string' },
      'latency-ms': { type: 'string' },
      'rate-records': { type: 'string' },
      'rate-limit': { type: 'string' },
      smoke: { type: 'boolean', default: false },
      profile: { type: 'boolean' },
      'keep-topics': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return 'help';
  const smoke = v.smoke ?? false;
  const records = count('records', v.records, smoke ? 10_000 : 1_000_000, 1);
  const runs = count('runs', v.runs, smoke ? 1 : 3, 1);
  return {
    scenarios: scenarios(v.scenarios ?? ALL_SCENARIOS.join(',')),
    records,
    memoryRecords: count('memory-records', v['memory-records'], Math.max(1, Math.round(records / 10)), 1),
    dltRecords: count('dlt-records', v['dlt-records'], Math.min(records, 200_000), 1),
    clients: clients(v.clients ?? KAFKA_CLIENTS.join(',')),
    runs,
    warmup: count('warmup', v.warmup, smoke ? 0 : 1),
    latencyRecords: count('latency-records', v['latency-records'], smoke ? 1_000 : 20_000, 1),
    latencyMs: count('latency-ms', v['latency-ms'], 50),
    latencyDiscover: !smoke,
    rateRecords: count('rate-records', v['rate-records'], smoke ? 10_000 : 200_000, 1),
    // A smoke run still crosses a window boundary (50 pages at 20 per 5 s), but in seconds.
    rateLimit: rateLimit(v['rate-limit'] ?? (smoke ? '20/5' : '600/60')),
    rateRuns: count('rate-runs', v['rate-runs'], Math.min(runs, 2), 1),
    outDir: path.resolve(v.out ?? path.join(BENCH_DIR, 'results')),
    smoke,
    profile: v.profile ?? !smoke,
    profileRecords: count('profile-records', v['profile-records'], Math.min(records, 200_000), 1),
    keepTopics: v['keep-topics'] ?? false,
    skipDlt:
      smoke && !existsSync(path.join(BENCH_VENV, 'bin/python'))
        ? 'smoke mode and no dlt venv at .cache/bench-venv (a full `pnpm bench` creates it)'
        : undefined,
    argv: args,
  };
}

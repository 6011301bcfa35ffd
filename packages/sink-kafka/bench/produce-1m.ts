/**
 * Encode + produce benchmark: billing invoices (the sandbox's generator, ~1.7 KB of JSON each,
 * nested addresses and line items) through the real sink into the real broker, in transactions.
 *
 *   pnpm --filter @siphon/sink-kafka bench            # 1,000,000 records per scenario
 *   BENCH_RECORDS=200000 pnpm --filter @siphon/sink-kafka bench
 *   BENCH_SCENARIOS=encode,interval-1s/gzip pnpm --filter @siphon/sink-kafka bench
 *   SIPHON_KAFKA_CLIENT=confluent pnpm --filter @siphon/sink-kafka bench   # the librdkafka adapter
 *
 * Reports records/s, MB/s of encoded key+value bytes, CPU seconds of this process (the broker's
 * CPU is not included but shares the machine), peak RSS, and the topic's size on the broker's disk
 * when the local infra's data directory is readable. Each scenario's topics are deleted afterwards.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { JsonRecord, Page, ResourceDescriptor } from '@siphon/core';
import { sampleRecords } from '@siphon/sandbox';
import { infraConfig, uniqueName } from '@siphon/testkit';
import { ResourceEncoder } from '../src/encoder.js';
import {
  type Compression,
  createKafkaPort,
  createKafkaSink,
  type KafkaSinkOptions,
  resolveConnection,
  SchemaRegistryClient,
  type TransactionBoundary,
} from '../src/index.js';
import { resolveOptions } from '../src/options.js';
import { packedBytes } from '../src/packed.js';
import { planResourceTopic } from '../src/topics.js';

const TOTAL = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const PAGE = Number(process.env.BENCH_PAGE_RECORDS ?? 200);
/** Committing every page is slow by design; it runs on fewer records. */
const PER_PAGE_TOTAL = Math.min(TOTAL, Number(process.env.BENCH_PER_PAGE_RECORDS ?? 20_000));
const DATA_DIR =
  process.env.KAFKA_DATA_DIR ?? path.resolve(import.meta.dirname, '../../../.cache/kafka/data');

const { brokers, registryUrl } = infraConfig();
const invoices: ResourceDescriptor = { name: 'invoices', primaryKey: ['id'], writeDisposition: 'merge' };
const templates = sampleRecords('billing', 'invoices', 1000);

function* pages(total: number, runId: string): Generator<Page> {
  for (let start = 0, index = 1; start < total; start += PAGE, index++) {
    const records: JsonRecord[] = [];
    for (let i = start; i < Math.min(total, start + PAGE); i++) {
      const id = String(903_070_000_000_000 + i);
      records.push({ ...(templates[i % templates.length] as JsonRecord), id, invoice_id: id });
    }
    yield {
      resource: 'invoices',
      index,
      url: `http://bench/invoices?page=${index}`,
      records,
      state: { checkpoint: { run_id: runId, paginator: { page: index + 1 }, pages: index } },
    };
  }
}

interface Result {
  scenario: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  cpuSeconds: number;
  peakRssMb: number;
  commits: number;
  diskMb?: number;
}

async function measure(
  scenario: string,
  records: number,
  bytesPerRecord: number,
  body: () => Promise<{ commits: number; topic?: string }>,
): Promise<Result> {
  global.gc?.();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { commits, topic } = await body();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  const diskMb = topic ? topicDiskMb(topic) : undefined;
  return {
    scenario,
    records,
    seconds: round(seconds),
    recordsPerSecond: Math.round(records / seconds),
    mbPerSecond: round((records * bytesPerRecord) / seconds / 1e6),
    cpuSeconds: round((used.user + used.system) / 1e6),
    peakRssMb: Math.round(peak / 1e6),
    commits,
    ...(diskMb === undefined ? {} : { diskMb }),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function topicDiskMb(topic: string): number | undefined {
  try {
    let bytes = 0;
    for (const dir of readdirSync(DATA_DIR).filter((d) => d.startsWith(`${topic}-`))) {
      for (const file of readdirSync(path.join(DATA_DIR, dir))) {
        if (file.endsWith('.log')) bytes += statSync(path.join(DATA_DIR, dir, file)).size;
      }
    }
    return round(bytes / 1e6);
  } catch {
    return undefined;
  }
}

function baseOptions(prefix: string): KafkaSinkOptions {
  // SIPHON_KAFKA_CLIENT=confluent measures the librdkafka adapter.
  const client = process.env.SIPHON_KAFKA_CLIENT === 'confluent' ? 'confluent' : 'kafkajs';
  return {
    kafka: { brokers, client_id: 'siphon-bench', client },
    registry: { url: registryUrl },
    topics: { prefix },
  };
}

/** Encoding alone (no Kafka): the CPU cost of conforming and Avro-encoding records. */
async function encodeOnly(total: number): Promise<{ result: Result; bytesPerRecord: number }> {
  const options = resolveOptions(baseOptions(uniqueName('bench-encode')));
  const context = { pipeline: 'bench', source: 'billing' };
  const encoder = await ResourceEncoder.create({
    registry: new SchemaRegistryClient(options.registry),
    resource: invoices,
    plan: planResourceTopic(options, context, invoices),
    context,
    defaultContract: 'evolve',
    emit: () => {},
  });
  // Warm up: the first page infers and registers the schema.
  await encoder.encode([...pages(PAGE, 'warm')][0]?.records ?? [], 'warm');
  let bytes = 0;
  const result = await measure('encode only (no Kafka)', total, 0, async () => {
    for (const p of pages(total, 'bench')) {
      const encoded = await encoder.encode(p.records, 'bench');
      bytes += packedBytes(encoded.packed);
    }
    return { commits: 0 };
  });
  const bytesPerRecord = bytes / total;
  result.mbPerSecond = round((total * bytesPerRecord) / result.seconds / 1e6);
  return { result, bytesPerRecord };
}

async function produce(
  name: string,
  total: number,
  bytesPerRecord: number,
  boundary: TransactionBoundary,
  compression: Compression,
): Promise<Result> {
  const prefix = uniqueName('bench');
  let commits = 0;
  const sink = createKafkaSink({
    ...baseOptions(prefix),
    sink: {
      transaction: {
        ...(boundary.intervalMs !== undefined ? { interval: boundary.intervalMs } : {}),
        ...(boundary.records !== undefined ? { records: boundary.records } : {}),
        ...(boundary.pages !== undefined ? { pages: boundary.pages } : {}),
      },
      compression,
    },
    onEvent: (e) => {
      if (e.type === 'transaction_committed') commits++;
    },
  });
  const topic = `${prefix}.billing.invoices`;
  try {
    const writer = await sink.open(invoices, { pipeline: 'bench', source: 'billing', runId: 'bench' });
    // Register the schema outside the measurement.
    await writer.write([...pages(PAGE, 'bench')][0] as Page);
    return await measure(name, total, bytesPerRecord, async () => {
      for (const p of pages(total, 'bench')) await writer.write(p);
      await writer.finish(
        { resource: 'invoices', pages: Math.ceil(total / PAGE), records: total, complete: true },
        {},
      );
      return { commits, topic };
    });
  } finally {
    await sink.close();
    await dropTopics([topic, `${prefix}._state`, `${prefix}._dlq`]);
  }
}

async function dropTopics(topics: string[]): Promise<void> {
  const port = createKafkaPort({ kafka: resolveConnection(baseOptions('').kafka), producer: { retries: 5 } });
  try {
    await (await port.admin()).deleteTopics(topics);
  } catch {
    // best effort
  } finally {
    await port.close();
  }
}

const scenarios: Array<[string, (bytes: number) => Promise<Result>]> = [
  [
    'per-page/gzip',
    (b) => produce(`commit per page (${PAGE} records), gzip`, PER_PAGE_TOTAL, b, { pages: 1 }, 'gzip'),
  ],
  ['per-10k/gzip', (b) => produce('commit per 10k records, gzip', TOTAL, b, { records: 10_000 }, 'gzip')],
  [
    'interval-1s/none',
    (b) => produce('commit per 1 s, no compression', TOTAL, b, { intervalMs: 1000 }, 'none'),
  ],
  ['interval-1s/gzip', (b) => produce('commit per 1 s, gzip', TOTAL, b, { intervalMs: 1000 }, 'gzip')],
  ['interval-1s/zstd', (b) => produce('commit per 1 s, zstd', TOTAL, b, { intervalMs: 1000 }, 'zstd')],
];

const selected = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim());
const results: Result[] = [];
console.log(
  `records per scenario: ${TOTAL} (commit-per-page: ${PER_PAGE_TOTAL}), page size ${PAGE}, Node ${process.version}`,
);
const { result: encodeResult, bytesPerRecord } = await encodeOnly(Math.min(TOTAL, 200_000));
console.log(`average encoded key+value: ${Math.round(bytesPerRecord)} bytes/record`);
if (!selected || selected.includes('encode')) results.push(encodeResult);
for (const [id, run] of scenarios) {
  if (selected && !selected.includes(id)) continue;
  const result = await run(bytesPerRecord);
  console.log(JSON.stringify(result));
  results.push(result);
}
console.table(results);

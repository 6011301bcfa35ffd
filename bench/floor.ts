/**
 * The floor of scenario 2: the least code that does what Siphon does for one resource, with no Siphon
 * code at all. Get an OAuth2 access token, fetch every page (one page ahead, as any sane loop would),
 * JSON.parse it, encode each record with avsc and the same key and value schemas Siphon registered
 * (in the Confluent wire format, with their registry ids), and produce with kafkajs in transactions:
 * one sendBatch per `--batch-bytes` or `--linger-ms`, a commit every `--txn-interval-ms` (the sink's
 * defaults), `--compression` (zstd, the sink's default), into a compacted topic with the same partition count.
 *
 *   node bench/floor.ts --base-url URL --token-url URL --client-id ID --client-secret S --refresh-token T \
 *     --brokers 127.0.0.1:9092 --topic NAME --key-schema FILE --value-schema FILE [--path /invoices] ...
 *
 * Schema files hold `{"id": <registry id>, "schema": "<Avro schema JSON>"}`. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import kafkajs, { type Message } from 'kafkajs';
import { useZstd } from './src/zstd.ts';

const { Kafka, CompressionTypes, logLevel } = kafkajs;

const { values: opts } = parseArgs({
  options: {
    'base-url': { type: 'string' },
    'token-url': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'refresh-token': { type: 'string' },
    path: { type: 'string', default: '/invoices' },
    selector: { type: 'string', default: 'invoices' },
    'per-page': { type: 'string', default: '200' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    topic: { type: 'string' },
    partitions: { type: 'string', default: '3' },
    'key-schema': { type: 'string' },
    'value-schema': { type: 'string' },
    'key-field': { type: 'string', default: 'id' },
    'batch-bytes': { type: 'string', default: String(1024 * 1024) },
    'linger-ms': { type: 'string', default: '100' },
    'txn-interval-ms': { type: 'string', default: '1000' },
    compression: { type: 'string', default: 'zstd' },
  },
});

function required(name: keyof typeof opts): string {
  const value = opts[name];
  if (typeof value !== 'string' || value === '') {
    process.stderr.write(`floor: --${name} is required\n`);
    process.exit(2);
  }
  return value;
}

function framed(id: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = 0;
  out.writeUInt32BE(id, 1);
  body.copy(out, 5);
  return out;
}

function loadType(file: string): { id: number; type: avro.Type } {
  const { id, schema } = JSON.parse(readFileSync(file, 'utf8')) as { id: number; schema: string };
  return { id, type: avro.Type.forSchema(JSON.parse(schema)) };
}

const baseUrl = required('base-url');
const topic = required('topic');
const keyField = required('key-field');
const perPage = Number(opts['per-page']);
const batchBytes = Number(opts['batch-bytes']);
const lingerMs = Number(opts['linger-ms']);
const txnIntervalMs = Number(opts['txn-interval-ms']);
const compressionTypes: Record<string, number> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  zstd: CompressionTypes.ZSTD,
};
const compression = compressionTypes[opts.compression];
if (compression === undefined)
  throw new Error(`--compression: expected none, gzip or zstd, got "${opts.compression}"`);
if (compression === CompressionTypes.ZSTD) useZstd();
const keySchema = loadType(required('key-schema'));
/** A record key schema (`{id: ...}`) or a primitive one (the bare value). */
const keyIsRecord = keySchema.type.typeName === 'record';
const valueSchema = loadType(required('value-schema'));

async function accessToken(): Promise<string> {
  const res = await fetch(required('token-url'), {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: required('client-id'),
      client_secret: required('client-secret'),
      refresh_token: required('refresh-token'),
    }),
  });
  if (!res.ok) throw new Error(`token request answered ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

const started = performance.now();
const token = await accessToken();

async function fetchPage(page: number): Promise<string> {
  const url = `${baseUrl}${opts.path}?page=${page}&per_page=${perPage}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.text();
}

const kafka = new Kafka({
  clientId: 'siphon-bench-floor',
  brokers: required('brokers').split(','),
  logLevel: logLevel.ERROR,
});
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  topics: [
    {
      topic,
      numPartitions: Number(opts.partitions),
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    },
  ],
  waitForLeaders: true,
});
await admin.disconnect();

const producer = kafka.producer({
  transactionalId: `siphon-bench-floor-${topic}`,
  idempotent: true,
  maxInFlightRequests: 1,
  retry: { retries: 10 },
});
await producer.connect();

let records = 0;
let bytes = 0;
let pages = 0;
let pending: Message[] = [];
let pendingBytes = 0;
let pendingSince = Date.now();
let txn = await producer.transaction();
let txnOpenedAt = Date.now();

async function flush(): Promise<void> {
  if (pending.length === 0) return;
  await txn.sendBatch({
    topicMessages: [{ topic, messages: pending }],
    acks: -1,
    ...(compression === undefined ? {} : { compression }),
  });
  pending = [];
  pendingBytes = 0;
  pendingSince = Date.now();
}

let next: Promise<string> | undefined = fetchPage(1);
for (let page = 1; next; page++) {
  const body = JSON.parse(await next) as Record<string, unknown> & {
    page_context: { has_more_page: boolean };
  };
  next = body.page_context.has_more_page ? fetchPage(page + 1) : undefined;
  pages++;
  for (const record of body[opts.selector as string] as Record<string, unknown>[]) {
    const key = framed(
      keySchema.id,
      keySchema.type.toBuffer(keyIsRecord ? { [keyField]: record[keyField] } : record[keyField]),
    );
    const value = framed(valueSchema.id, valueSchema.type.toBuffer(record));
    pending.push({ key, value });
    pendingBytes += key.length + value.length;
    bytes += key.length + value.length;
    records++;
  }
  if (pendingBytes >= batchBytes || Date.now() - pendingSince >= lingerMs) await flush();
  if (Date.now() - txnOpenedAt >= txnIntervalMs) {
    await flush();
    await txn.commit();
    txn = await producer.transaction();
    txnOpenedAt = Date.now();
  }
}
await flush();
await txn.commit();
await producer.disconnect();

const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ records, pages, bytes, seconds })}\n`);

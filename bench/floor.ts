/**
 * The references of scenario 2: the least code that does what Siphon does for one resource, with no
 * Siphon code except the sink's Kafka port (the project's only way to a Kafka client). Get an OAuth2
 * access token, fetch every page (`--ahead` pages in flight), `JSON.parse` it, and then:
 *
 * - `--client none`: nothing more. The **source ceiling**: what the API and parsing allow.
 * - otherwise encode each record with avsc and the key and value schemas Siphon registered (in the
 *   Confluent wire format, with their registry ids), either one buffer per record (`--encoding
 *   record`) or the whole page into one buffer that every message is a view of (`--encoding page`),
 *   and produce through the port's adapter (`--client kafkajs|confluent`) in transactions: one send
 *   per `--batch-bytes` or `--linger-ms` (0: every page), a commit every `--txn-interval-ms` (the
 *   sink's defaults), `--compression` (zstd, the sink's default), into a compacted topic with the
 *   same partition count.
 *
 * The **naive floor** is `--ahead 1 --encoding record --client kafkajs`; the **best floor**
 * `--ahead 3 --encoding page --client confluent --batch-bytes 0`.
 *
 *   node bench/floor.ts --base-url URL --token-url URL --client-id ID --client-secret S --refresh-token T \
 *     [--client none | --brokers 127.0.0.1:9092 --topic NAME --key-schema FILE --value-schema FILE] ...
 *
 * Schema files hold `{"id": <registry id>, "schema": "<Avro schema JSON>"}`. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Compression, KafkaMessage, KafkaTransaction } from '@siphon/sink-kafka';
import avro from 'avsc';

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
    ahead: { type: 'string', default: '1' },
    encoding: { type: 'string', default: 'record' },
    client: { type: 'string', default: 'kafkajs' },
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

function oneOf<T extends string>(name: keyof typeof opts, allowed: readonly T[]): T {
  const value = required(name);
  if (!(allowed as readonly string[]).includes(value)) {
    process.stderr.write(`floor: --${name} expects one of ${allowed.join(', ')}, got "${value}"\n`);
    process.exit(2);
  }
  return value as T;
}

const baseUrl = required('base-url');
const perPage = Number(opts['per-page']);
const ahead = Math.max(1, Number(opts.ahead));
const client = oneOf('client', ['none', 'kafkajs', 'confluent'] as const);
const encoding = oneOf('encoding', ['record', 'page'] as const);
const compression = oneOf('compression', ['none', 'gzip', 'zstd'] as const) satisfies Compression;

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

interface PageBody {
  page_context: { has_more_page: boolean };
  [selector: string]: unknown;
}

/** Pages in order, `ahead` requests in flight; stops after the page that says there is no more. */
async function* pages(token: string): AsyncGenerator<Record<string, unknown>[]> {
  const fetchPage = async (page: number): Promise<string> => {
    const url = `${baseUrl}${opts.path}?page=${page}&per_page=${perPage}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    return res.text();
  };
  const inFlight: Promise<string>[] = [];
  let nextPage = 1;
  const fill = () => {
    while (inFlight.length < ahead) {
      const request = fetchPage(nextPage++);
      request.catch(() => undefined); // a page past the end may fail unread
      inFlight.push(request);
    }
  };
  for (;;) {
    fill();
    const body = JSON.parse(await (inFlight.shift() as Promise<string>)) as PageBody;
    yield body[opts.selector as string] as Record<string, unknown>[];
    if (!body.page_context.has_more_page) return;
  }
}

// --- encoding -------------------------------------------------------------------------------

interface Schema {
  id: number;
  type: avro.Type;
}

function loadSchema(file: string): Schema {
  const { id, schema } = JSON.parse(readFileSync(file, 'utf8')) as { id: number; schema: string };
  return { id, type: avro.Type.forSchema(JSON.parse(schema)) };
}

type Encode = (records: Record<string, unknown>[]) => { messages: KafkaMessage[]; bytes: number };

function encoder(): Encode {
  const key = loadSchema(required('key-schema'));
  const value = loadSchema(required('value-schema'));
  const keyField = required('key-field');
  /** A record key schema (`{id: ...}`) or a primitive one (the bare value). */
  const keyOf =
    key.type.typeName === 'record'
      ? (r: Record<string, unknown>) => ({ [keyField]: r[keyField] })
      : (r: Record<string, unknown>) => r[keyField];

  if (encoding === 'record') {
    const framed = (id: number, body: Buffer): Buffer => {
      const out = Buffer.allocUnsafe(5 + body.length);
      out[0] = 0;
      out.writeUInt32BE(id, 1);
      body.copy(out, 5);
      return out;
    };
    return (records) => {
      let bytes = 0;
      const messages = records.map((r) => {
        const m = {
          key: framed(key.id, key.type.toBuffer(keyOf(r))),
          value: framed(value.id, value.type.toBuffer(r)),
        };
        bytes += m.key.length + m.value.length;
        return m;
      });
      return { messages, bytes };
    };
  }

  // One buffer per page: each key and value is written (framed) straight into it, and the
  // messages are views of it. It grows (doubling) when a page does not fit, and stays grown.
  let size = 1024 * 1024;
  const frame = (buf: Buffer, pos: number, id: number, type: avro.Type, v: unknown): number => {
    if (pos + 5 > buf.length) return -1;
    buf[pos] = 0;
    buf.writeUInt32BE(id, pos + 1);
    return type.encode(v, buf, pos + 5);
  };
  return (records) => {
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      const ends: number[] = [];
      let pos = 0;
      for (const r of records) {
        pos = frame(buf, pos, key.id, key.type, keyOf(r));
        if (pos < 0) break;
        ends.push(pos);
        pos = frame(buf, pos, value.id, value.type, r);
        if (pos < 0) break;
        ends.push(pos);
      }
      if (pos < 0) {
        size *= 2;
        continue;
      }
      const messages: KafkaMessage[] = [];
      let start = 0;
      for (let i = 0; i < ends.length; i += 2) {
        const keyEnd = ends[i] as number;
        const valueEnd = ends[i + 1] as number;
        messages.push({ key: buf.subarray(start, keyEnd), value: buf.subarray(keyEnd, valueEnd) });
        start = valueEnd;
      }
      return { messages, bytes: pos };
    }
  };
}

// --- the loop -------------------------------------------------------------------------------

const started = performance.now();
const token = await accessToken();
let records = 0;
let bytes = 0;
let pageCount = 0;

if (client === 'none') {
  for await (const page of pages(token)) {
    pageCount++;
    records += page.length;
  }
} else {
  const topic = required('topic');
  const brokers = required('brokers').split(',');
  const encode = encoder();
  const batchBytes = Number(opts['batch-bytes']);
  const lingerMs = Number(opts['linger-ms']);
  const txnIntervalMs = Number(opts['txn-interval-ms']);
  // Loaded only here: the source ceiling loads no Kafka code at all.
  const { createKafkaPort, ensureTopics, resolveConnection } = await import('@siphon/sink-kafka');
  const port = createKafkaPort({
    kafka: resolveConnection({ brokers, client, client_id: 'siphon-bench-floor' }),
    producer: { retries: 10 },
  });
  await ensureTopics(
    await port.admin(),
    [
      {
        topic,
        cleanupPolicy: 'compact',
        partitions: Number(opts.partitions),
        configs: { 'cleanup.policy': 'compact' },
        purpose: 'floor',
      },
    ],
    { apply: true, brokers },
  );
  const producer = port.transactionalProducer({
    transactionalId: `siphon-bench-floor-${topic}`,
    transactionTimeoutMs: 60_000,
    retries: 10,
    compression,
  });
  await producer.init();

  let pending: KafkaMessage[] = [];
  let pendingBytes = 0;
  let pendingSince = Date.now();
  let txn: KafkaTransaction = await producer.begin();
  let txnOpenedAt = Date.now();
  const flush = async () => {
    if (pending.length === 0) return;
    await txn.send([{ topic, messages: pending }], { compression, timeoutMs: 30_000 });
    pending = [];
    pendingBytes = 0;
    pendingSince = Date.now();
  };

  for await (const page of pages(token)) {
    pageCount++;
    const encoded = encode(page);
    for (const m of encoded.messages) pending.push(m);
    pendingBytes += encoded.bytes;
    bytes += encoded.bytes;
    records += page.length;
    if (pendingBytes >= batchBytes || Date.now() - pendingSince >= lingerMs) await flush();
    if (Date.now() - txnOpenedAt >= txnIntervalMs) {
      await flush();
      await txn.commit();
      txn = await producer.begin();
      txnOpenedAt = Date.now();
    }
  }
  await flush();
  await txn.commit();
  await producer.close();
  await port.close();
}

const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ records, pages: pageCount, bytes, seconds })}\n`);

/**
 * Turns one resource's records into Kafka messages: keys, Confluent-framed Avro values, tombstones
 * for hard deletes and dead letters for what cannot be written. Owns the resource's schema
 * lifecycle: declared or inferred, evolved under the resource's schema contract, registered once
 * per version and cached for the run.
 */
import {
  AVRO_SCHEMA_INVALID,
  type AvroRecordSchema,
  avroNamespace,
  type Conformer,
  type ConformIssue,
  compileConformer,
  evolveAvroSchema,
  inferAvroSchema,
} from '@siphon/avro';
import { type JsonRecord, type ResourceDescriptor, type SchemaContractMode, SiphonError } from '@siphon/core';
import avro from 'avsc';
import { avroKeySchema, KeyEncoder, MissingKeyError } from './avro/key.js';
import type { EncodePool } from './encode-pool.js';
import { describeError, KafkaSinkError } from './errors.js';
import type { KafkaSinkEvent } from './options.js';
import { PageBuilder } from './packed.js';
import { hardDeletePredicate, type PackedCounts, packPage } from './page-codec.js';
import type { KafkaMessage, MessageHeaders, PackedMessages } from './port.js';
import type { SchemaRegistryClient } from './registry.js';
import type { ResourceTopicPlan } from './topics.js';
import { writeWire } from './wire.js';

/** Approximate record overhead in a batch (varints, timestamps, the run header). */
export const MESSAGE_OVERHEAD = 70;

/** Header carrying the run id on every data message: snapshot delete detection reads it back. */
export const RUN_HEADER = 'siphon.run';

export interface EncodedPage {
  /** Data-topic messages (values and tombstones), in record order, packed into one buffer. */
  packed: PackedMessages;
  deadLetters: KafkaMessage[];
  records: number;
  tombstones: number;
  discarded: number;
  /** Keys of records that were read but not written (dead letters, discarded rows). */
  unwrittenKeys: Buffer[];
}

interface ValueCodec {
  schema: AvroRecordSchema;
  id: number;
  type: avro.Type;
  conform: Conformer;
}

const EMPTY: PackedMessages = { buffer: Buffer.alloc(0), offsets: new Int32Array(0), headers: {} };

export interface EncoderContext {
  pipeline: string;
  source: string;
}

export class ResourceEncoder {
  private value: ValueCodec | undefined;
  private key: KeyEncoder | undefined;
  private readonly contract: SchemaContractMode;
  private readonly isDeleted: (record: JsonRecord) => boolean;
  /** Reused for every page of the resource (pages are encoded one at a time). */
  private readonly page = new PageBuilder();

  private constructor(
    private readonly registry: SchemaRegistryClient,
    private readonly resource: ResourceDescriptor,
    private readonly plan: ResourceTopicPlan,
    private readonly context: EncoderContext,
    defaultContract: SchemaContractMode,
    private readonly emit: (event: KafkaSinkEvent) => void,
    private readonly maxRecordBytes: number,
    private readonly pool: EncodePool | undefined,
  ) {
    this.contract = resource.schemaContract ?? defaultContract;
    this.isDeleted = hardDeletePredicate(resource.hardDelete);
  }

  /** Loads (or registers, for declared schemas) the schemas the resource already has. */
  static async create(options: {
    registry: SchemaRegistryClient;
    resource: ResourceDescriptor;
    plan: ResourceTopicPlan;
    context: EncoderContext;
    defaultContract: SchemaContractMode;
    emit: (event: KafkaSinkEvent) => void;
    /** Default 1 000 000. */
    maxRecordBytes?: number;
    /** Encoding workers (`producer.encodeWorkers`); without, pages are encoded on this thread. */
    pool?: EncodePool | undefined;
  }): Promise<ResourceEncoder> {
    const encoder = new ResourceEncoder(
      options.registry,
      options.resource,
      options.plan,
      options.context,
      options.defaultContract,
      options.emit,
      options.maxRecordBytes ?? 1_000_000,
      options.pool,
    );
    await encoder.init();
    return encoder;
  }

  get topic(): string {
    return this.plan.topic;
  }

  /** The value schema in use, once known. */
  get valueSchema(): AvroRecordSchema | undefined {
    return this.value?.schema;
  }

  get keySchemaId(): number | undefined {
    return this.key?.schemaId;
  }

  private async init(): Promise<void> {
    const { registry, plan, resource } = this;
    const declared = resource.schema;
    if (declared) {
      await this.useValueSchema(declared);
    } else {
      const latest = await registry.latest(plan.valueSubject);
      if (latest) this.value = this.codec(latest.schema, latest.id);
    }
    if (resource.primaryKey.length > 0) {
      const latestKey = await registry.latest(plan.keySubject);
      if (latestKey) this.key = new KeyEncoder(latestKey.schema, latestKey.id, resource.primaryKey);
      else if (this.value) await this.registerKey(this.value.schema);
    }
  }

  private codec(schema: AvroRecordSchema, id: number): ValueCodec {
    let type: avro.Type;
    try {
      type = avro.Type.forSchema(schema as avro.Schema, { wrapUnions: 'auto' });
    } catch (error) {
      throw new KafkaSinkError(
        'SCHEMA_INVALID',
        `value schema of resource "${this.resource.name}" is not valid Avro: ${describeError(error)}`,
        { cause: error },
      );
    }
    return { schema, id, type, conform: compileConformer(schema) };
  }

  private async useValueSchema(schema: AvroRecordSchema): Promise<void> {
    // Validate locally first: a registry error about an invalid schema is harder to read.
    const codec = this.codec(schema, 0);
    const id = await this.registry.register(this.plan.valueSubject, schema);
    this.value = { ...codec, id };
    this.emit({
      type: 'schema_registered',
      subject: this.plan.valueSubject,
      id,
      fields: schema.fields.length,
    });
  }

  private async registerKey(valueSchema: AvroRecordSchema): Promise<void> {
    const schema = avroKeySchema(this.resource, { source: this.context.source, valueSchema });
    const id = await this.registry.register(this.plan.keySubject, schema);
    this.key = new KeyEncoder(schema, id, this.resource.primaryKey);
    this.emit({ type: 'schema_registered', subject: this.plan.keySubject, id, fields: schema.fields.length });
  }

  /**
   * Encodes one page; `runId` goes into every message's run header. Throws only for `freeze`
   * violations and registry/schema failures.
   */
  async encode(records: JsonRecord[], runId: string): Promise<EncodedPage> {
    const page = this.page;
    const out: EncodedPage = {
      packed: EMPTY,
      deadLetters: [],
      records: 0,
      tombstones: 0,
      discarded: 0,
      unwrittenKeys: [],
    };
    if (!this.value) {
      const live = records.filter((r) => !this.isDeleted(r));
      if (live.length === 0 && records.length === 0) return out;
      const inferred = this.schemaWork(() =>
        inferAvroSchema(live.length > 0 ? live : records, {
          name: this.resource.name,
          namespace: avroNamespace(this.context.source),
          doc: `${this.context.source}.${this.resource.name}, inferred by Siphon`,
        }),
      );
      await this.useValueSchema(inferred);
    }
    if (!this.key && this.resource.primaryKey.length > 0)
      await this.registerKey((this.value as ValueCodec).schema);

    const fast = await this.fastPath(records);
    if (fast) {
      out.packed = {
        buffer: fast.buffer,
        offsets: fast.offsets,
        headers: { [RUN_HEADER]: Buffer.from(runId) },
      };
      out.records = fast.records;
      out.tombstones = fast.tombstones;
      return out;
    }
    // Something on the page needs the contract's decision: record by record.
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as JsonRecord;
      const mark = page.position;
      let keyStart = -1;
      let keyEnd = -1;
      if (this.key) {
        const key = this.key;
        try {
          [keyStart, keyEnd] = page.write((buffer, offset) => key.encodeInto(record, buffer, offset));
        } catch (error) {
          page.rewind(mark);
          const reason =
            error instanceof MissingKeyError
              ? error.message
              : `primary key unusable: ${describeError(error)}`;
          this.deadLetter(out, record, reason, runId);
          continue;
        }
      }
      if (this.isDeleted(record)) {
        if (keyStart < 0) {
          this.deadLetter(
            out,
            record,
            'hard-deleted record without a primary key cannot become a tombstone',
            runId,
          );
          continue;
        }
        page.add(keyStart, keyEnd, -1, -1);
        out.tombstones++;
        continue;
      }
      const unwritten = () => {
        if (keyStart >= 0) out.unwrittenKeys.push(Buffer.from(page.bytesOf(keyStart, keyEnd)));
        page.rewind(mark);
      };
      const codec = await this.conformed(record, records, i, out, runId);
      if (codec === undefined) {
        unwritten();
        continue;
      }
      let valueStart: number;
      let valueEnd: number;
      try {
        const { type, id, value } = codec;
        [valueStart, valueEnd] = page.write((buffer, offset) =>
          writeWire(id, (b, o) => type.encode(value, b, o), buffer, offset),
        );
      } catch (error) {
        this.deadLetter(out, record, `Avro encoding failed: ${describeError(error)}`, runId);
        unwritten();
        continue;
      }
      const size = valueEnd - valueStart + (keyStart < 0 ? 0 : keyEnd - keyStart);
      if (size > this.maxRecordBytes) {
        this.deadLetter(
          out,
          record,
          `encoded record is ${size} bytes, above producer.maxRecordBytes (${this.maxRecordBytes})`,
          runId,
        );
        unwritten();
        continue;
      }
      page.add(keyStart, keyEnd, valueStart, valueEnd);
      out.records++;
    }
    if (page.messages > 0) out.packed = page.finish({ [RUN_HEADER]: Buffer.from(runId) });
    else page.rewind(0);
    return out;
  }

  /** The page packed when every record fits (in a worker when there is a pool), else undefined. */
  private async fastPath(
    records: JsonRecord[],
  ): Promise<(PackedCounts & { buffer: Buffer; offsets: Int32Array }) | undefined> {
    const value = this.value as ValueCodec;
    if (records.length === 0) return undefined;
    if (this.pool) {
      const key = this.key;
      const result = await this.pool.run({
        codecId: `${this.plan.topic}|${value.id}|${key?.schemaId ?? ''}`,
        spec: {
          value: { schema: value.schema, id: value.id },
          key: key
            ? { schema: key.schema, id: key.schemaId, primaryKey: this.resource.primaryKey }
            : undefined,
          hardDelete: this.resource.hardDelete,
          maxRecordBytes: this.maxRecordBytes,
        },
        records,
      });
      if (!result.ok) return undefined;
      const { bytes } = result;
      return {
        buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        offsets: result.offsets,
        records: result.records,
        tombstones: result.tombstones,
      };
    }
    const counts = packPage(
      {
        valueType: value.type,
        valueId: value.id,
        conform: value.conform,
        key: this.key,
        isDeleted: this.isDeleted,
        maxRecordBytes: this.maxRecordBytes,
      },
      records,
      this.page,
    );
    if (!counts) return undefined;
    const { buffer, offsets } = this.page.finish({});
    return { buffer, offsets, ...counts };
  }

  /**
   * The record as the value schema takes it (the record itself when it already fits: no copy),
   * with the codec to encode it; undefined when it became a dead letter or a discarded row.
   */
  private async conformed(
    record: JsonRecord,
    page: JsonRecord[],
    index: number,
    out: EncodedPage,
    runId: string,
  ): Promise<{ type: avro.Type; id: number; value: unknown } | undefined> {
    let codec = this.value as ValueCodec;
    let result = codec.conform(record);
    if (!result.ok) {
      switch (this.contract) {
        case 'freeze':
          throw new KafkaSinkError(
            'SCHEMA_FROZEN',
            `resource "${this.resource.name}": a record does not fit the frozen schema of ${this.plan.valueSubject} (id ${codec.id}): ${formatIssues(result.issues)}`,
          );
        case 'discard_row':
          out.discarded++;
          this.emit({
            type: 'discarded',
            resource: this.resource.name,
            what: 'row',
            detail: formatIssues(result.issues),
          });
          return undefined;
        case 'discard_value':
          result = codec.conform(record, { lenient: true });
          if (result.ok && result.discarded.length > 0) {
            this.emit({
              type: 'discarded',
              resource: this.resource.name,
              what: 'value',
              detail: formatIssues(result.discarded),
            });
          }
          break;
        case 'evolve': {
          // Widen for the rest of the page at once: one new version per page, record order kept.
          const evolution = this.schemaWork(() =>
            evolveAvroSchema(
              codec.schema,
              page.slice(index).filter((r) => !this.isDeleted(r)),
            ),
          );
          if (evolution.changed) {
            await this.useValueSchema(evolution.schema);
            codec = this.value as ValueCodec;
          }
          result = codec.conform(record);
          break;
        }
      }
    }
    if (!result.ok) {
      this.deadLetter(
        out,
        record,
        `does not fit ${this.plan.valueSubject}: ${formatIssues(result.issues)}`,
        runId,
      );
      return undefined;
    }
    return { type: codec.type, id: codec.id, value: result.value };
  }

  /** Runs inference or evolution, reporting a schema it cannot use with this package's code. */
  private schemaWork<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (SiphonError.isInstance(error) && error.code === AVRO_SCHEMA_INVALID) {
        throw new KafkaSinkError('SCHEMA_INVALID', `resource "${this.resource.name}": ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  private deadLetter(out: EncodedPage, record: JsonRecord, error: string, runId: string): void {
    const { pipeline, source } = this.context;
    const headers: MessageHeaders = {
      'siphon.pipeline': pipeline,
      'siphon.source': source,
      'siphon.resource': this.resource.name,
      'siphon.topic': this.plan.topic,
      'siphon.error': error,
      [RUN_HEADER]: runId,
    };
    let value = Buffer.from(safeJson(record));
    // The dead letter itself must fit into a record batch.
    if (value.length > this.maxRecordBytes) {
      headers['siphon.truncated'] = String(value.length);
      value = value.subarray(0, Math.floor(this.maxRecordBytes / 2));
    }
    out.deadLetters.push({ key: null, value, headers });
    this.emit({ type: 'dead_letter', resource: this.resource.name, error });
  }
}

function formatIssues(issues: ConformIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.problem}` : i.problem));
  if (issues.length > 5) shown.push(`and ${issues.length - 5} more`);
  return shown.join('; ');
}

function safeJson(record: unknown): string {
  try {
    return JSON.stringify(record, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  } catch (error) {
    return JSON.stringify({ unserialisable: describeError(error) });
  }
}

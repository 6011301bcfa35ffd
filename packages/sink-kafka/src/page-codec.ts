/**
 * The fast path of encoding a page, where every record fits: keys, tombstones and Confluent-framed
 * Avro values packed into one buffer. It runs on the main thread or in an encoding worker
 * (encode-worker.ts); a page with anything else (a record that does not fit the schema, an unusable
 * key, a record over the size limit) is left to `ResourceEncoder`'s full path, which evolves,
 * discards or dead-letters as the schema contract says.
 */
import { type AvroRecordSchema, type Conformer, compileConformer } from '@siphon/avro';
import type { HardDeleteRule, JsonRecord } from '@siphon/core';
import avro from 'avsc';
import { KeyEncoder, readPath } from './avro/key.js';
import type { PageBuilder } from './packed.js';
import { writeWire } from './wire.js';

/** What the fast path needs; plain data, so that it can be sent to a worker. */
export interface PageCodecSpec {
  value: { schema: AvroRecordSchema; id: number };
  key?: { schema: AvroRecordSchema; id: number; primaryKey: string[] } | undefined;
  hardDelete?: HardDeleteRule | undefined;
  maxRecordBytes: number;
}

export interface PageCodec {
  valueType: avro.Type;
  valueId: number;
  conform: Conformer;
  key: KeyEncoder | undefined;
  isDeleted: (record: JsonRecord) => boolean;
  maxRecordBytes: number;
}

export function compilePageCodec(spec: PageCodecSpec): PageCodec {
  return {
    valueType: avro.Type.forSchema(spec.value.schema as avro.Schema, { wrapUnions: 'auto' }),
    valueId: spec.value.id,
    conform: compileConformer(spec.value.schema),
    key: spec.key ? new KeyEncoder(spec.key.schema, spec.key.id, spec.key.primaryKey) : undefined,
    isDeleted: hardDeletePredicate(spec.hardDelete),
    maxRecordBytes: spec.maxRecordBytes,
  };
}

export function hardDeletePredicate(rule: HardDeleteRule | undefined): (record: JsonRecord) => boolean {
  if (!rule) return () => false;
  if (rule.equals === undefined) return (record) => Boolean(readPath(record, rule.path));
  const expected = rule.equals;
  return (record) => readPath(record, rule.path) === expected;
}

export interface PackedCounts {
  records: number;
  tombstones: number;
}

/**
 * Writes the page's messages into `page` (which must be empty) and returns the counts, or
 * undefined, with `page` emptied again, as soon as a record needs the full path.
 */
export function packPage(
  codec: PageCodec,
  records: readonly JsonRecord[],
  page: PageBuilder,
): PackedCounts | undefined {
  const counts: PackedCounts = { records: 0, tombstones: 0 };
  const { key, valueType, valueId, conform, isDeleted, maxRecordBytes } = codec;
  try {
    for (const record of records) {
      let keyStart = -1;
      let keyEnd = -1;
      if (key) [keyStart, keyEnd] = page.write((buffer, offset) => key.encodeInto(record, buffer, offset));
      if (isDeleted(record)) {
        if (keyStart < 0) return giveUp(page);
        page.add(keyStart, keyEnd, -1, -1);
        counts.tombstones++;
        continue;
      }
      const result = conform(record);
      if (!result.ok) return giveUp(page);
      const value = result.value;
      const [valueStart, valueEnd] = page.write((buffer, offset) =>
        writeWire(valueId, (b, o) => valueType.encode(value, b, o), buffer, offset),
      );
      if (valueEnd - valueStart + (keyStart < 0 ? 0 : keyEnd - keyStart) > maxRecordBytes)
        return giveUp(page);
      page.add(keyStart, keyEnd, valueStart, valueEnd);
      counts.records++;
    }
  } catch {
    // An unusable key or a value avsc refuses: the full path says which and dead-letters it.
    return giveUp(page);
  }
  return counts;
}

function giveUp(page: PageBuilder): undefined {
  page.reset();
  return undefined;
}

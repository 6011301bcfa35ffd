/**
 * Record keys: the primary key fields as a named Avro record, registered under `<topic>-key`.
 * The key schema never evolves once registered, so the same key value always gives the same bytes
 * (schema id + Avro body), whatever happens to the value schema: compaction and partitioning
 * both depend on that.
 */
import {
  type AvroField,
  type AvroRecordSchema,
  type AvroType,
  avroName,
  avroNamespace,
  avroTypeName,
  branchesOf,
  isRecord,
  NameTable,
  namespaceOf,
  sourceNameDoc,
  sourceNameOf,
} from '@siphon/avro';
import { type JsonRecord, type ResourceDescriptor, readField } from '@siphon/core';
import avro from 'avsc';
import { KafkaSinkError } from '../errors.js';
import { MAGIC_BYTE, toWireFormat, WIRE_HEADER_BYTES } from '../wire.js';

const KEY_PRIMITIVES = new Set(['string', 'long', 'int', 'boolean', 'double', 'float']);

/** Reads a primary key path by core's one rule for field paths (`readField`). */
export function readPath(record: JsonRecord, path: string): unknown {
  return readField(record, path);
}

/**
 * The key schema of a resource: one field per primary key path, typed from the value schema when
 * it has a single non-null primitive type there, `string` otherwise.
 */
export function avroKeySchema(
  resource: Pick<ResourceDescriptor, 'name' | 'primaryKey'>,
  options: { source: string; valueSchema?: AvroRecordSchema },
): AvroRecordSchema {
  if (resource.primaryKey.length === 0) {
    throw new KafkaSinkError(
      'SCHEMA_INVALID',
      `resource "${resource.name}" has no primary key: it has no key schema`,
    );
  }
  const used = new Set<string>();
  const fields = resource.primaryKey.map((path) => {
    let name = avroName(path.replaceAll('.', '_'));
    while (used.has(name)) name = `${name}_`;
    used.add(name);
    const type = options.valueSchema ? keyFieldType(options.valueSchema, path) : 'string';
    return { name, type, ...(name === path ? {} : { doc: sourceNameDoc(path) }) };
  });
  return {
    type: 'record',
    name: `${avroTypeName(resource.name)}_key`,
    namespace: avroNamespace(options.source),
    doc: `Primary key of ${resource.name}`,
    fields,
  };
}

function keyFieldType(schema: AvroRecordSchema, path: string): AvroType {
  const table = NameTable.of(schema);
  const direct = schema.fields.find((f) => sourceNameOf(f) === path);
  let type: AvroType | undefined = direct?.type;
  if (!direct) {
    let record: AvroRecordSchema | undefined = schema;
    let namespace = namespaceOf(`${schema.namespace ?? ''}.${schema.name}`);
    for (const part of path.split('.')) {
      const field: AvroField | undefined = record?.fields.find((f) => sourceNameOf(f) === part);
      if (!field) return 'string';
      type = field.type;
      const next: AvroRecordSchema | undefined = branchesOf(field.type)
        .map((b) => (typeof b === 'string' ? ((table.get(b, namespace) as AvroType | undefined) ?? b) : b))
        .find(isRecord);
      record = next;
      if (next) namespace = next.namespace ?? namespace;
    }
  }
  const nonNull = branchesOf(type ?? 'string').filter((b) => b !== 'null');
  const only = nonNull.length === 1 ? nonNull[0] : undefined;
  const base = typeof only === 'string' ? only : (only as { type?: unknown } | undefined)?.type;
  return typeof base === 'string' && KEY_PRIMITIVES.has(base) ? (base as AvroType) : 'string';
}

export class MissingKeyError extends KafkaSinkError {
  constructor(readonly field: string) {
    super('KEY_MISSING', `record has no value for primary key field "${field}"`);
  }
}

/** Encodes keys for one key schema id. Build once per resource and reuse. */
export class KeyEncoder {
  private readonly type: avro.Type;
  private readonly fields: Array<{ name: string; path: string; kind: string }>;

  constructor(
    readonly schema: AvroRecordSchema,
    readonly schemaId: number,
    primaryKey: string[],
  ) {
    if (schema.fields.length !== primaryKey.length) {
      throw new KafkaSinkError(
        'SCHEMA_INVALID',
        `key schema ${schema.name} has ${schema.fields.length} fields but the primary key has ${primaryKey.length} (${primaryKey.join(', ')}); a registered key schema cannot change`,
      );
    }
    this.type = avro.Type.forSchema(schema as avro.Schema);
    this.fields = schema.fields.map((f, i) => {
      const t = f.type;
      const kind = typeof t === 'string' ? t : String((t as { type?: unknown }).type);
      return { name: f.name, path: primaryKey[i] as string, kind };
    });
  }

  /** The key's wire bytes; throws `MissingKeyError` or a conversion error for unusable keys. */
  encode(record: JsonRecord): Buffer {
    return toWireFormat(this.schemaId, this.type.toBuffer(this.keyOf(record)));
  }

  /**
   * Writes the key's wire bytes into `buffer` at `offset` (avsc's `Type#encode` contract: the end
   * offset, or a negative shortfall when the buffer is too small); throws like `encode`.
   */
  encodeInto(record: JsonRecord, buffer: Buffer, offset: number): number {
    const key = this.keyOf(record);
    if (offset + WIRE_HEADER_BYTES > buffer.length) return buffer.length - offset - WIRE_HEADER_BYTES - 64;
    buffer[offset] = MAGIC_BYTE;
    buffer.writeUInt32BE(this.schemaId, offset + 1);
    return this.type.encode(key, buffer, offset + WIRE_HEADER_BYTES);
  }

  private keyOf(record: JsonRecord): Record<string, unknown> {
    const key: Record<string, unknown> = {};
    for (const field of this.fields) {
      const value = readPath(record, field.path);
      if (value === undefined || value === null || value === '') throw new MissingKeyError(field.path);
      key[field.name] = coerce(value, field.kind, field.path);
    }
    return key;
  }
}

function coerce(value: unknown, kind: string, path: string): unknown {
  switch (kind) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
        return String(value);
      break;
    case 'long':
      if (Number.isSafeInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
      break;
    case 'int':
      if (Number.isInteger(value) && Math.abs(value as number) <= 2147483647) return value;
      break;
    case 'double':
    case 'float':
      if (typeof value === 'number') return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
  }
  throw new KafkaSinkError(
    'KEY_INVALID',
    `primary key field "${path}" must be a ${kind}, got ${JSON.stringify(value)}`,
  );
}

/** One-off key encoding (tools, tests); writers keep a `KeyEncoder`. */
export function encodeKey(
  schema: AvroRecordSchema,
  schemaId: number,
  primaryKey: string[],
  record: JsonRecord,
): Buffer {
  return new KeyEncoder(schema, schemaId, primaryKey).encode(record);
}

/**
 * Small helpers over Avro schemas kept as plain JSON (`AvroType`): what kind a type is,
 * which named types a schema defines, and how a field maps to its JSON source name.
 */

import { schemaError } from './errors.js';
import { type AvroField, type AvroRecordSchema, type AvroType, PRIMITIVE_NAMES } from './schema.js';

export type Kind = (typeof PRIMITIVE_NAMES)[number] | 'record' | 'array' | 'map' | 'enum' | 'fixed';

const PRIMITIVES = new Set<string>(PRIMITIVE_NAMES);

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** What a JSON value is, as Avro types tell values apart; undefined for what JSON cannot hold. */
export type JsonKind = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'bytes' | 'array' | 'object';

export function jsonKind(value: unknown): JsonKind | undefined {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isSafeInteger(value) ? 'integer' : 'number';
    case 'bigint':
      return 'integer';
    case 'string':
      return 'string';
    case 'object':
      if (Buffer.isBuffer(value)) return 'bytes';
      return Array.isArray(value) ? 'array' : 'object';
    default:
      return undefined;
  }
}

export type ComplexType = Exclude<AvroType, string | AvroType[]>;

export function isPrimitiveName(name: string): boolean {
  return PRIMITIVES.has(name);
}

export function branchesOf(type: AvroType): AvroType[] {
  return Array.isArray(type) ? type : [type];
}

export function isRecord(type: AvroType): type is AvroRecordSchema {
  return typeof type === 'object' && !Array.isArray(type) && type.type === 'record';
}

/** Fullname of a named type, given the namespace it is defined in. */
export function fullName(name: string, namespace: string | undefined): string {
  if (name.includes('.')) return name;
  return namespace ? `${namespace}.${name}` : name;
}

export function namespaceOf(fullname: string): string | undefined {
  const dot = fullname.lastIndexOf('.');
  return dot < 0 ? undefined : fullname.slice(0, dot);
}

/** Every named type (record, enum, fixed) a schema defines, by fullname, with its namespace. */
export class NameTable {
  private readonly types = new Map<string, ComplexType>();

  static of(schema: AvroType, namespace?: string): NameTable {
    const table = new NameTable();
    table.collect(schema, namespace);
    return table;
  }

  get(ref: string, namespace: string | undefined): ComplexType | undefined {
    return this.types.get(fullName(ref, namespace)) ?? this.types.get(ref);
  }

  private collect(type: AvroType, namespace: string | undefined): void {
    if (Array.isArray(type)) {
      for (const branch of type) this.collect(branch, namespace);
      return;
    }
    if (typeof type !== 'object') return;
    const t = type as ComplexType & {
      name?: string;
      namespace?: string;
      items?: AvroType;
      values?: AvroType;
    };
    if (t.type === 'record' || t.type === 'enum' || t.type === 'fixed') {
      const name = fullName(t.name as string, t.namespace ?? namespace);
      this.types.set(name, type as ComplexType);
      if (t.type === 'record') {
        for (const field of (type as AvroRecordSchema).fields) this.collect(field.type, namespaceOf(name));
      }
      return;
    }
    if (t.type === 'array' && t.items !== undefined) this.collect(t.items, namespace);
    if (t.type === 'map' && t.values !== undefined) this.collect(t.values, namespace);
  }
}

/** The kind of a non-union type, following named references through the table. */
export function kindOf(type: AvroType, table?: NameTable, namespace?: string): Kind {
  if (typeof type === 'string') {
    if (PRIMITIVES.has(type)) return type as Kind;
    const defined = table?.get(type, namespace);
    if (!defined) throw schemaError(`unknown Avro type "${type}"`);
    return kindOf(defined, table, namespace);
  }
  if (Array.isArray(type)) throw schemaError('kindOf() called on a union');
  const name = type.type;
  if (PRIMITIVES.has(name)) return name as Kind;
  if (
    name === 'record' ||
    name === 'error' ||
    name === 'array' ||
    name === 'map' ||
    name === 'enum' ||
    name === 'fixed'
  ) {
    return name === 'error' ? 'record' : (name as Kind);
  }
  // `{ "type": "string" }` style wrappers of a named reference.
  return kindOf(name as AvroType, table, namespace);
}

const SOURCE_DOC = /^source field (".*")$/;

/** Doc text that records the JSON name of a field whose name had to be sanitised. */
export function sourceNameDoc(sourceName: string): string {
  return `source field ${JSON.stringify(sourceName)}`;
}

/** The JSON key a field reads from: the name kept in its doc when sanitised, else its own name. */
export function sourceNameOf(field: AvroField): string {
  const match = field.doc === undefined ? null : SOURCE_DOC.exec(field.doc);
  if (match?.[1]) {
    try {
      const parsed: unknown = JSON.parse(match[1]);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // A doc that merely looks like ours: fall back to the field name.
    }
  }
  return field.name;
}

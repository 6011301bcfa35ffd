/**
 * A few helpers for writing Avro schemas as plain JSON (`AvroRecordSchema`) that read
 * like a field list. Nested records are written inline and may be reused: `finishSchema`
 * turns every repeated definition into a reference by name, as Avro requires.
 */
import { schemaError } from './errors.js';
import { isAvroName } from './names.js';
import type { AvroField, AvroRecordSchema, AvroType } from './schema.js';

/** A field that is always present and never null. */
export function required(name: string, type: AvroType, doc: string): AvroField {
  return { name, type, doc };
}

/** A field that may be null or absent: `["null", T]` (or `["null", ...union]`) with default null. */
export function optional(name: string, type: AvroType, doc: string): AvroField {
  return { name, type: ['null', ...(Array.isArray(type) ? type : [type])], default: null, doc };
}

/** Builds a field from its name and doc. */
export type FieldBuilder = (name: string, doc: string) => AvroField;

/**
 * The required and the optional builder of one kind of field: its type, and the words every such
 * field's doc ends with (a unit, a format), e.g. `const [money, optionalMoney] =
 * fieldBuilders('double', 'Major currency units.')`.
 */
export function fieldBuilders(
  type: AvroType,
  docEnding?: string,
): readonly [required: FieldBuilder, optional: FieldBuilder] {
  const fullDoc = (doc: string) => (docEnding === undefined ? doc : `${doc} ${docEnding}`);
  return [
    (name, doc) => required(name, type, fullDoc(doc)),
    (name, doc) => optional(name, type, fullDoc(doc)),
  ];
}

export function record(name: string, doc: string, fields: AvroField[]): AvroRecordSchema {
  return { type: 'record', name, doc, fields };
}

export function arrayOf(items: AvroType): AvroType {
  return { type: 'array', items };
}

/**
 * The schema as registered: namespaced, every named type defined once (later uses become
 * references), names checked, and deeply frozen so no consumer can alter a shared schema.
 */
export function finishSchema(schema: AvroRecordSchema, namespace: string): AvroRecordSchema {
  const defined = new Map<string, string>();
  const top = dedupe(structuredClone(schema), defined, schema.name) as AvroRecordSchema;
  return deepFreeze({ ...top, namespace });
}

function dedupe(type: AvroType, defined: Map<string, string>, where: string): AvroType {
  if (Array.isArray(type)) return type.map((branch) => dedupe(branch, defined, where));
  if (typeof type !== 'object') return type;
  if (type.type === 'record') {
    const rec = type as AvroRecordSchema;
    if (!isAvroName(rec.name)) throw schemaError(`${where}: "${rec.name}" is not a valid Avro name`);
    const text = JSON.stringify(rec);
    const earlier = defined.get(rec.name);
    if (earlier !== undefined) {
      if (earlier !== text) throw schemaError(`${where}: two different records are both named "${rec.name}"`);
      // A reference to a named type; AvroType lists only primitive names, hence the cast.
      return rec.name as AvroType;
    }
    defined.set(rec.name, text);
    const names = new Set<string>();
    for (const field of rec.fields) {
      if (!isAvroName(field.name))
        throw schemaError(`${where}: field "${field.name}" is not a valid Avro name`);
      if (names.has(field.name))
        throw schemaError(`${where}: record ${rec.name} declares "${field.name}" twice`);
      names.add(field.name);
    }
    return {
      ...rec,
      fields: rec.fields.map((f) => ({ ...f, type: dedupe(f.type, defined, `${where}.${f.name}`) })),
    };
  }
  if (type.type === 'array') return { ...type, items: dedupe(type.items as AvroType, defined, where) };
  if (type.type === 'map') return { ...type, values: dedupe(type.values as AvroType, defined, where) };
  return type;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * The schema for a chosen primary key: the key's fields become required strings, and the
 * other id fields listed in `idFields` become nullable (an API that keys records one way
 * need not send the other id at all).
 */
export function keyedSchema(
  schema: AvroRecordSchema,
  idFields: readonly string[],
  primaryKey: readonly string[],
  keyDoc: string,
): AvroRecordSchema {
  const fields = schema.fields.map((field): AvroField => {
    if (!idFields.includes(field.name)) return field;
    const base = Array.isArray(field.type) ? (field.type.find((t) => t !== 'null') ?? 'string') : field.type;
    if (primaryKey.includes(field.name)) {
      const { default: _ignored, ...rest } = field;
      return { ...rest, type: base };
    }
    return { ...field, type: ['null', base], default: null };
  });
  return deepFreeze({ ...schema, doc: `${schema.doc ?? ''} ${keyDoc}`.trim(), fields });
}

/** A source's declared schemas: `schemaFor` keys one for a primary key, `schemas` are all keyed by `id`. */
export interface DeclaredSchemas<Name extends string> {
  schemaFor(name: Name, primaryKey?: readonly string[]): AvroRecordSchema;
  schemas: Readonly<Record<Name, AvroRecordSchema>>;
}

/**
 * The declared value schemas of a source's resources: each record finished in `namespace`, keyed
 * for a primary key by `keyedSchema` over the resource's id fields (`idFields(name)`: `id` and the
 * real API's own id), its doc ending in `Primary key: <fields>.`.
 */
export function declaredSchemas<Name extends string>(
  namespace: string,
  records: Record<Name, AvroRecordSchema>,
  idFields: (name: Name) => readonly string[],
): DeclaredSchemas<Name> {
  const names = Object.keys(records) as Name[];
  const finished = Object.fromEntries(
    names.map((name) => [name, finishSchema(records[name], namespace)]),
  ) as Record<Name, AvroRecordSchema>;
  const schemaFor = (name: Name, primaryKey: readonly string[] = ['id']): AvroRecordSchema =>
    keyedSchema(finished[name], idFields(name), primaryKey, `Primary key: ${primaryKey.join(', ')}.`);
  const schemas = Object.freeze(Object.fromEntries(names.map((name) => [name, schemaFor(name)]))) as Readonly<
    Record<Name, AvroRecordSchema>
  >;
  return { schemaFor, schemas };
}

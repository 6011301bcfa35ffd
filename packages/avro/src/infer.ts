/**
 * Schema inference and evolution by widening: `widenType(type, value)` returns the smallest change
 * of `type` that also accepts `value`, and the very same object when nothing had to change. Every
 * change it makes is BACKWARD-compatible (new readers read old data): fields are only added, with
 * `default: null`; types only widen (int → long → double, T → union with the new branch);
 * enums only gain symbols. Numbers are `long` or `double`, never avsc's lossy `float` inference.
 */

import type { SiphonError } from '@siphon/errors';
import { schemaError } from './errors.js';
import {
  branchesOf,
  type ComplexType,
  fullName,
  INT32_MAX,
  INT32_MIN,
  jsonKind,
  kindOf,
  NameTable,
  namespaceOf,
  sourceNameDoc,
  sourceNameOf,
} from './model.js';
import { avroName, avroTypeName, isAvroName } from './names.js';
import type { AvroField, AvroRecordSchema, AvroType } from './schema.js';

/** One JSON object, as an API returned it. */
type JsonRecord = Record<string, unknown>;

/** Placeholder for "nothing seen yet" (items of arrays that were always empty). */
const NOTHING = '__siphon_nothing__' as unknown as AvroType;

interface Context {
  table: NameTable;
  /** Namespace that named references are resolved in. */
  namespace: string | undefined;
  /** Fullname for a record type created at this position. */
  nameHint: string;
  /** Put `null` first when adding it (false when the field has a non-null default). */
  nullFirst: boolean;
}

export interface InferOptions {
  /** Record name; sanitised to Avro rules (e.g. the resource name). */
  name: string;
  /** e.g. `siphon.billing`. */
  namespace?: string;
  doc?: string;
}

/**
 * Infers an Avro record schema from sample records. Every field is nullable (`["null", T]`,
 * `default: null`) because APIs routinely omit fields; nested objects become records named after
 * their path, arrays become arrays, integers `long`, other numbers `double`. Field names are
 * sanitised to Avro rules and the original JSON name is kept in the field's `doc`.
 */
export function inferAvroSchema(records: Iterable<JsonRecord>, options: InferOptions): AvroRecordSchema {
  const base: AvroRecordSchema = {
    type: 'record',
    name: avroTypeName(options.name),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.doc ? { doc: options.doc } : {}),
    fields: [],
  };
  return evolveAvroSchema(base, records).schema;
}

export interface Evolution {
  schema: AvroRecordSchema;
  /** False when every record already fitted: the input schema object is returned unchanged. */
  changed: boolean;
}

/** Widens `schema` until every record fits. The input is never mutated. */
export function evolveAvroSchema(schema: AvroRecordSchema, records: Iterable<JsonRecord>): Evolution {
  const fullname = fullName(schema.name, schema.namespace);
  let current: AvroType = schema;
  let table = NameTable.of(current);
  for (const record of records) {
    const next = widenType(current, record, {
      table,
      namespace: namespaceOf(fullname),
      nameHint: fullname,
      nullFirst: true,
    });
    if (next !== current) table = NameTable.of(next);
    current = next;
  }
  if (current === schema) return { schema, changed: false };
  return { schema: materialise(current) as AvroRecordSchema, changed: true };
}

function widenType(type: AvroType, value: unknown, ctx: Context): AvroType {
  const branches = branchesOf(type).filter((b) => b !== NOTHING);
  const kinds = branches.map((b) => kindOf(b, ctx.table, ctx.namespace));
  // Functions and symbols are not JSON: a string is the closest faithful rendering.
  const kind = jsonKind(value) ?? 'string';
  const find = (...wanted: string[]) => kinds.findIndex((k) => wanted.includes(k));
  const replace = (index: number, next: AvroType) => rebuild(type, branches.with(index, next));
  const add = (next: AvroType) =>
    rebuild(type, next === 'null' && ctx.nullFirst ? ['null', ...branches] : [...branches, next]);

  switch (kind) {
    case 'null':
      return find('null') >= 0 ? type : add('null');
    case 'boolean':
      return find('boolean') >= 0 ? type : add('boolean');
    case 'integer': {
      const n = Number(value);
      const int = find('int');
      if (int >= 0 && n >= INT32_MIN && n <= INT32_MAX) return type;
      if (find('long', 'float', 'double') >= 0) return type;
      // Promotions drop any logical type: it no longer applies to the wider type.
      return int >= 0 ? replace(int, 'long') : add('long');
    }
    case 'number': {
      if (find('double', 'float') >= 0) return type;
      const integral = find('long', 'int');
      return integral >= 0 ? replace(integral, 'double') : add('double');
    }
    case 'string': {
      if (find('string') >= 0) return type;
      const e = find('enum');
      if (e >= 0 && isAvroName(value as string)) {
        const en = resolve(branches[e] as AvroType, ctx) as { symbols: string[] };
        if (en.symbols.includes(value as string)) return type;
        if (typeof branches[e] === 'string') throw cannotEvolveReference(branches[e] as string);
        return replace(e, {
          ...(branches[e] as object),
          symbols: [...en.symbols, value as string],
        } as AvroType);
      }
      return add('string');
    }
    case 'array': {
      const items = value as unknown[];
      const a = find('array');
      const current = a >= 0 ? (resolve(branches[a] as AvroType, ctx) as { items: AvroType }) : undefined;
      let itemType: AvroType = current ? current.items : NOTHING;
      const itemCtx: Context = { ...ctx, nullFirst: true, nameHint: `${ctx.nameHint}_item` };
      for (const item of items) itemType = widenType(itemType, item, itemCtx);
      if (current && itemType === current.items) return type;
      const next: AvroType = { ...(current ?? {}), type: 'array', items: itemType };
      return a >= 0 ? replace(a, next) : add(next);
    }
    case 'bytes': // not JSON either: taken apart as any other object, as always
    case 'object': {
      const r = find('record');
      if (r >= 0) {
        const ref = branches[r] as AvroType;
        const widened = widenRecord(resolve(ref, ctx) as AvroRecordSchema, value as JsonRecord, ctx);
        if (widened === resolve(ref, ctx)) return type;
        if (typeof ref === 'string') throw cannotEvolveReference(ref);
        return replace(r, widened);
      }
      const m = find('map');
      if (m >= 0) {
        const map = resolve(branches[m] as AvroType, ctx) as { values: AvroType };
        let values = map.values;
        for (const v of Object.values(value as object))
          values = widenType(values, v, { ...ctx, nullFirst: true });
        return values === map.values
          ? type
          : replace(m, { ...(map as object), type: 'map', values } as AvroType);
      }
      const name = ctx.nameHint;
      const created: AvroRecordSchema = {
        type: 'record',
        name: name.slice(name.lastIndexOf('.') + 1),
        ...(namespaceOf(name) ? { namespace: namespaceOf(name) as string } : {}),
        fields: [],
      };
      return add(widenRecord(created, value as JsonRecord, ctx));
    }
  }
}

function widenRecord(record: AvroRecordSchema, value: JsonRecord, ctx: Context): AvroRecordSchema {
  const fullname = fullName(record.name, record.namespace ?? ctx.namespace);
  let fields: AvroField[] | undefined;
  const bySource = new Map<string, number>();
  record.fields.forEach((f, i) => {
    bySource.set(sourceNameOf(f), i);
  });
  const used = new Set(record.fields.map((f) => f.name));
  const fieldsNow = () => fields ?? record.fields;
  const setField = (index: number, field: AvroField) => {
    fields ??= [...record.fields];
    fields[index] = field;
  };

  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const index = bySource.get(key) ?? aliasIndex(record.fields, key);
    if (index !== undefined) {
      const field = fieldsNow()[index] as AvroField;
      const type = widenType(field.type, v, {
        table: ctx.table,
        namespace: namespaceOf(fullname),
        nameHint: `${fullname}.${avroTypeName(field.name)}`,
        nullFirst: field.default === undefined || field.default === null,
      });
      if (type !== field.type) setField(index, withNullDefault({ ...field, type }));
      continue;
    }
    const name = uniqueName(avroName(key), used);
    used.add(name);
    const inferred = widenType(NOTHING, v, {
      table: ctx.table,
      namespace: namespaceOf(fullname),
      nameHint: `${fullname}.${avroTypeName(name)}`,
      nullFirst: true,
    });
    const branches = branchesOf(inferred).filter((b) => b !== 'null' && b !== NOTHING);
    const field: AvroField = {
      name,
      type: branches.length === 0 ? 'null' : (['null', ...branches] as AvroType),
      default: null,
      ...(name === key ? {} : { doc: sourceNameDoc(key) }),
    };
    fields ??= [...record.fields];
    fields.push(field);
    bySource.set(key, fields.length - 1);
  }

  // Fields the record lacks must accept null from now on.
  fieldsNow().forEach((field, index) => {
    if (value[sourceNameOf(field)] !== undefined || aliasValue(field, value) !== undefined) return;
    const nullFirst = field.default === undefined || field.default === null;
    const type = widenType(field.type, null, { ...ctx, namespace: namespaceOf(fullname), nullFirst });
    if (type !== field.type) setField(index, withNullDefault({ ...field, type }));
  });

  return fields ? { ...record, fields } : record;
}

function aliasIndex(fields: AvroField[], key: string): number | undefined {
  const i = fields.findIndex((f) => f.aliases?.includes(key));
  return i < 0 ? undefined : i;
}

function aliasValue(field: AvroField, value: JsonRecord): unknown {
  for (const alias of field.aliases ?? []) if (value[alias] !== undefined) return value[alias];
  return undefined;
}

/** A field that just became nullable and had no default gets `default: null` (null is first). */
function withNullDefault(field: AvroField): AvroField {
  if (field.default !== undefined) return field;
  const first = branchesOf(field.type)[0];
  return first === 'null' ? { ...field, default: null } : field;
}

function uniqueName(name: string, used: Set<string>): string {
  if (!used.has(name)) return name;
  for (let i = 2; ; i++) if (!used.has(`${name}_${i}`)) return `${name}_${i}`;
}

function rebuild(original: AvroType, branches: AvroType[]): AvroType {
  if (branches.length === 1 && !Array.isArray(original)) return branches[0] as AvroType;
  return branches;
}

function resolve(type: AvroType, ctx: Context): ComplexType {
  if (typeof type === 'string') {
    const defined = ctx.table.get(type, ctx.namespace);
    if (!defined) throw schemaError(`schema references unknown type "${type}"`);
    return defined;
  }
  return type as ComplexType;
}

function cannotEvolveReference(ref: string): SiphonError {
  return schemaError(
    `cannot evolve named type "${ref}" where it is referenced by name; declare it inline or change the schema contract`,
  );
}

/** Replaces "nothing seen" placeholders by `null` so the schema is valid Avro. */
function materialise(type: AvroType): AvroType {
  if (type === NOTHING) return 'null';
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const branches = type.filter((b) => b !== NOTHING).map(materialise);
    return branches.length === 0 ? 'null' : branches;
  }
  const t = type as ComplexType & { items?: AvroType; values?: AvroType; fields?: AvroField[] };
  if (t.type === 'record' && t.fields)
    return { ...t, fields: t.fields.map((f) => ({ ...f, type: materialise(f.type) })) };
  if (t.type === 'array' && t.items !== undefined) return { ...t, items: materialise(t.items) };
  if (t.type === 'map' && t.values !== undefined) return { ...t, values: materialise(t.values) };
  return type;
}

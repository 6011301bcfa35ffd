/**
 * Checks JSON records against a declared Avro schema, reporting paths a reader can act on:
 * values the declared type rejects, fields the schema does not declare, and declared fields
 * that no record ever carried (a sign the schema drifted from the data).
 */
import type { AvroRecordSchema } from '@siphon/core';
import avro from 'avsc';

export interface SchemaReport {
  /** `line_items[2].price: expected double, got "12"` */
  invalid: string[];
  /** Fields present in records but not declared: `billing_address.county` */
  undeclared: string[];
  /** Declared fields (as paths) seen at least once. */
  seen: Set<string>;
}

export class SchemaChecker {
  readonly type: avro.Type;
  private readonly report: SchemaReport = { invalid: [], undeclared: [], seen: new Set() };

  constructor(readonly schema: AvroRecordSchema) {
    this.type = avro.Type.forSchema(schema as avro.Schema);
  }

  check(record: Record<string, unknown>, label: string): void {
    const invalid = this.report.invalid;
    this.type.isValid(record, {
      errorHook(path, value, type) {
        if (invalid.length < 20) {
          invalid.push(
            `${label}: ${formatPath(path)}: ${JSON.stringify(value)} is not a valid ${describe(type)}`,
          );
        }
      },
    });
    walk(this.type, record, '', this.report, label);
  }

  result(): SchemaReport {
    return this.report;
  }
}

/** Every field path a schema declares, e.g. `line_items[].price`. */
export function declaredPaths(type: avro.Type, prefix = '', into = new Set<string>()): Set<string> {
  if (isRecord(type)) {
    for (const field of type.fields) {
      const path = prefix ? `${prefix}.${field.name}` : field.name;
      into.add(path);
      declaredPaths(field.type, path, into);
    }
  } else if (isArray(type)) {
    declaredPaths(type.itemsType, `${prefix}[]`, into);
  } else if (isUnion(type)) {
    for (const branch of type.types) declaredPaths(branch, prefix, into);
  }
  return into;
}

function walk(type: avro.Type, value: unknown, prefix: string, report: SchemaReport, label: string): void {
  if (value === null || value === undefined) return;
  if (isUnion(type)) {
    const branch = type.types.find((t) => t.typeName !== 'null' && t.isValid(value));
    const fallback = type.types.find((t) => t.typeName === 'record' || t.typeName === 'array');
    const chosen = branch ?? fallback;
    if (chosen) walk(chosen, value, prefix, report, label);
    return;
  }
  if (isRecord(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    const declared = new Map(type.fields.map((f) => [f.name, f.type]));
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const fieldType = declared.get(key);
      if (!fieldType) {
        if (report.undeclared.length < 20) report.undeclared.push(`${label}: ${path}`);
        continue;
      }
      report.seen.add(path);
      walk(fieldType, item, path, report, label);
    }
    return;
  }
  if (isArray(type) && Array.isArray(value)) {
    for (const item of value) walk(type.itemsType, item, `${prefix}[]`, report, label);
  }
}

function isRecord(type: avro.Type): type is avro.types.RecordType {
  return type.typeName === 'record';
}

function isArray(type: avro.Type): type is avro.types.ArrayType {
  return type.typeName === 'array';
}

function isUnion(type: avro.Type): type is avro.types.UnwrappedUnionType {
  return type.typeName.startsWith('union');
}

function formatPath(path: string[]): string {
  return (
    path
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '') || '(record)'
  );
}

function describe(type: avro.Type): string {
  if (isUnion(type)) return type.types.map((t) => t.typeName).join('|');
  return type.name ?? type.typeName;
}

/**
 * Field paths of a schema, written as a reader would look for them (`line_items[].price`): every
 * path the schema declares, and the declared paths one JSON record carries. Together they say
 * which declared fields no record ever had, a sign that a schema drifted from the data.
 * Whether the values fit is the conformer's question (`compileConformer`), not this module's.
 */
import { branchesOf, type ComplexType, fullName, NameTable, namespaceOf, sourceNameOf } from './model.js';
import type { AvroRecordSchema, AvroType } from './schema.js';

/** Every field path the schema declares, by the JSON names records carry. */
export function declaredPaths(schema: AvroRecordSchema): Set<string> {
  const into = new Set<string>();
  walkType(schema, schemaNamespace(schema), '', NameTable.of(schema), new Set(), into);
  return into;
}

/**
 * The declared paths `record` carries (a field present with the value null counts: the API sent
 * it). Undeclared fields are skipped; the conformer reports them.
 */
export function presentPaths(
  schema: AvroRecordSchema,
  record: unknown,
  into = new Set<string>(),
): Set<string> {
  walkValue(schema, schemaNamespace(schema), record, '', NameTable.of(schema), into);
  return into;
}

function schemaNamespace(schema: AvroRecordSchema): string | undefined {
  return namespaceOf(fullName(schema.name, schema.namespace));
}

/** The definition behind a type, following a reference by name (undefined for primitives). */
function resolve(type: AvroType, namespace: string | undefined, table: NameTable): ComplexType | undefined {
  if (Array.isArray(type)) return undefined;
  if (typeof type === 'string') return table.get(type, namespace);
  return type as ComplexType;
}

function walkType(
  type: AvroType,
  namespace: string | undefined,
  prefix: string,
  table: NameTable,
  visiting: Set<ComplexType>,
  into: Set<string>,
): void {
  for (const branch of branchesOf(type)) {
    const t = resolve(branch, namespace, table);
    if (!t || visiting.has(t)) continue;
    if (t.type === 'record') {
      const record = t as AvroRecordSchema;
      const inner = namespaceOf(fullName(record.name, record.namespace ?? namespace));
      visiting.add(t);
      for (const field of record.fields) {
        const path = prefix ? `${prefix}.${sourceNameOf(field)}` : sourceNameOf(field);
        into.add(path);
        walkType(field.type, inner, path, table, visiting, into);
      }
      visiting.delete(t);
    } else if (t.type === 'array') {
      walkType((t as { items: AvroType }).items, namespace, `${prefix}[]`, table, visiting, into);
    }
  }
}

function walkValue(
  type: AvroType,
  namespace: string | undefined,
  value: unknown,
  prefix: string,
  table: NameTable,
  into: Set<string>,
): void {
  if (value === null || typeof value !== 'object') return;
  const wanted = Array.isArray(value) ? 'array' : 'record';
  const t = branchesOf(type)
    .map((branch) => resolve(branch, namespace, table))
    .find((candidate) => candidate?.type === wanted);
  if (!t) return;
  if (Array.isArray(value)) {
    for (const item of value)
      walkValue((t as { items: AvroType }).items, namespace, item, `${prefix}[]`, table, into);
    return;
  }
  const record = t as AvroRecordSchema;
  const inner = namespaceOf(fullName(record.name, record.namespace ?? namespace));
  const object = value as Record<string, unknown>;
  for (const field of record.fields) {
    const key = sourceNameOf(field);
    const item =
      key in object ? object[key] : field.aliases?.map((a) => object[a]).find((v) => v !== undefined);
    if (item === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    into.add(path);
    walkValue(field.type, inner, item, path, table, into);
  }
}

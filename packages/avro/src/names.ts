/** Avro's naming rules, and the names Siphon gives the types it writes. */
import { isPrimitiveName } from './model.js';

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isAvroName(name: string): boolean {
  return AVRO_NAME.test(name);
}

/**
 * Turns any string into a legal Avro name: illegal characters become `_`, and a leading digit
 * (or an empty string) gets a `_` in front. Deterministic, so the same input always gives the
 * same schema.
 */
export function avroName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(name)) name = `_${name}`;
  return name;
}

/** A legal name for a named type (record, enum): never the name of a primitive type. */
export function avroTypeName(raw: string): string {
  const name = avroName(raw);
  return isPrimitiveName(name) ? `${name}_` : name;
}

/** The namespace of every schema Siphon writes for one source, e.g. `siphon.billing`. */
export function avroNamespace(source: string): string {
  return `siphon.${avroName(source)}`;
}

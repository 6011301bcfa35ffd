/**
 * Avro schemas as plain JSON, the form sources declare, the sink registers and the registry
 * stores: no parsed avsc types here, so a schema can be written, compared, frozen and sent as is.
 */

/** A minimal Avro record schema as plain JSON: what sources declare and sinks register. */
export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  aliases?: string[];
  fields: AvroField[];
}

export interface AvroField {
  name: string;
  type: AvroType;
  doc?: string;
  default?: unknown;
  aliases?: string[];
}

/** Avro's primitive type names. */
export const PRIMITIVE_NAMES = [
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
] as const;

export type PrimitiveName = (typeof PRIMITIVE_NAMES)[number];

export type AvroType =
  | PrimitiveName
  | AvroRecordSchema
  | { type: 'array'; items: AvroType }
  | { type: 'map'; values: AvroType }
  | { type: 'enum'; name: string; symbols: string[] }
  | { type: string; logicalType?: string; [key: string]: unknown }
  | AvroType[];

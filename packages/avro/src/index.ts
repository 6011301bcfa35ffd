export * from './builders.js';
export { type Conformer, type ConformIssue, type ConformResult, compileConformer } from './conform.js';
export { AVRO_SCHEMA_INVALID } from './errors.js';
export { type Evolution, evolveAvroSchema, type InferOptions, inferAvroSchema } from './infer.js';
export * from './model.js';
export { avroName, avroNamespace, avroTypeName, isAvroName } from './names.js';
export { declaredPaths, presentPaths } from './paths.js';
export {
  type AvroField,
  type AvroRecordSchema,
  type AvroType,
  PRIMITIVE_NAMES,
  type PrimitiveName,
} from './schema.js';

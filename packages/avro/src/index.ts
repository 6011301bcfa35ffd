export { arrayOf, finishSchema, keyedSchema, optional, record, required } from './builders.js';
export { type Conformer, type ConformIssue, type ConformResult, compileConformer } from './conform.js';
export { AVRO_SCHEMA_INVALID } from './errors.js';
export { type Evolution, evolveAvroSchema, type InferOptions, inferAvroSchema } from './infer.js';
export {
  branchesOf,
  type ComplexType,
  fullName,
  isPrimitiveName,
  isRecord,
  type Kind,
  kindOf,
  NameTable,
  namespaceOf,
  sourceNameDoc,
  sourceNameOf,
} from './model.js';
export { avroName, avroNamespace, avroTypeName, isAvroName } from './names.js';
export { declaredPaths, presentPaths } from './paths.js';
export type { AvroField, AvroRecordSchema, AvroType } from './schema.js';

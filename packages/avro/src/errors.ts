import { SiphonError } from '@siphon/errors';

/** The one code this package throws: a schema that is not valid Avro, or cannot be used as asked. */
export const AVRO_SCHEMA_INVALID = 'AVRO_SCHEMA_INVALID';

/** A schema problem, named by the message (the record, field or type at fault). */
export function schemaError(message: string): SiphonError {
  return new SiphonError(message, { code: AVRO_SCHEMA_INVALID });
}

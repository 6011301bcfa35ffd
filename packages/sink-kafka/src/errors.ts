import { SiphonError } from '@siphon/core';

/** Stable codes for everything this package throws; callers switch on `code`, never on messages. */
export type KafkaSinkErrorCode =
  /** Invalid options: names the option and what was expected. */
  | 'INVALID_OPTIONS'
  /** An existing topic's `cleanup.policy` contradicts the resource's write disposition. */
  | 'TOPIC_POLICY_CONFLICT'
  /** Creating or describing topics failed. */
  | 'TOPIC_ADMIN'
  /** The broker could not be reached or refused the client (names the brokers). */
  | 'KAFKA_CONNECTION'
  /** The Schema Registry could not be reached or answered with an error (names the URL). */
  | 'REGISTRY'
  /** The registry rejected a new schema version as incompatible. */
  | 'SCHEMA_INCOMPATIBLE'
  /** A record does not fit the schema and the resource's schema contract is `freeze`. */
  | 'SCHEMA_FROZEN'
  /** A schema cannot be turned into valid Avro (declared schema invalid, key type unusable). */
  | 'SCHEMA_INVALID'
  /** Another producer with the same transactional id took over: this unit must stop. */
  | 'FENCED'
  /** A transaction could not be committed even after recreating the producer. */
  | 'TRANSACTION'
  /** The state topic could not be read consistently (or a topic read timed out). */
  | 'STATE'
  /** A message read back is not Confluent-framed Avro, or does not decode with its schema. */
  | 'DECODE'
  /** A record has no value for a primary key field (the record goes to the dead-letter topic). */
  | 'KEY_MISSING'
  /** A primary key value does not fit the key schema's type (dead-letter topic too). */
  | 'KEY_INVALID'
  /** A producer was used before `init()` finished. */
  | 'PRODUCER_NOT_READY';

const MARKER = Symbol.for('@siphon/sink-kafka.KafkaSinkError');

/** Everything this package throws on purpose; a core `SiphonError` with one of the codes above. */
export class KafkaSinkError extends SiphonError {
  declare readonly code: KafkaSinkErrorCode;
  readonly [MARKER] = true;

  constructor(
    code: KafkaSinkErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(message, { code, ...options });
  }

  /** True for errors of this class, also across duplicated installs of the package. */
  static override isInstance(value: unknown): value is KafkaSinkError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** The message of any thrown value, for composing clear errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

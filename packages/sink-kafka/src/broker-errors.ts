/**
 * Classifies errors thrown through the Kafka port. Adapters keep the broker's answer on the cause
 * chain as `{ type, code, retriable }` (Kafka's error names and codes), and name connection
 * failures; everything here reads only that shape.
 */
import { describeError, KafkaSinkError } from './errors.js';

export interface BrokerErrorShape {
  name?: string;
  type?: string;
  code?: number;
  message?: string;
  retriable?: boolean;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
  topic?: string;
}

/**
 * Walks wrapped errors: retries exceeded → cause → protocol error, and the per-topic
 * errors of an aggregate error (CreateTopics answers one per topic).
 */
export function* errorChain(error: unknown): Generator<BrokerErrorShape> {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 16; seen++) {
    const current = queue.shift();
    if (!current || typeof current !== 'object') continue;
    const e = current as BrokerErrorShape;
    yield e;
    queue.push(e.originalError ?? e.cause);
    if (Array.isArray(e.errors)) queue.push(...e.errors);
  }
}

const PERMANENT = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_REQUIRED_ACKS',
  'POLICY_VIOLATION',
  'TOPIC_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_COMPRESSION_TYPE',
]);

/** A broker answer that no retry or new producer can change (too large, not authorised...). */
export function isPermanentError(error: unknown): boolean {
  for (const e of errorChain(error)) if (e.type && PERMANENT.has(e.type)) return true;
  return false;
}

/** Another producer with our transactional id (a newer run) took over. */
export function isFencedError(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (e.type === 'INVALID_PRODUCER_EPOCH' || e.type === 'PRODUCER_FENCED') return true;
    if (e.code === 47 || e.code === 90) return true;
  }
  return false;
}

/** Error names adapters use for a broker that cannot be reached or refused the client. */
const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSSASLAuthenticationError',
  'KafkaConnectionError',
]);

function isConnectionError(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (e.name && CONNECTION_ERRORS.has(e.name)) return true;
    if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|Connection timeout/i.test(e.message ?? ''))
      return true;
  }
  return false;
}

function innermostMessage(error: unknown): string {
  let message = describeError(error);
  for (const e of errorChain(error)) if (e.message) message = e.message;
  return message;
}

/** Converts an error thrown through the port while doing `what` into a `KafkaSinkError` naming the brokers. */
export function kafkaError(error: unknown, what: string, brokers: string[]): KafkaSinkError {
  if (KafkaSinkError.isInstance(error)) return error;
  const reason = innermostMessage(error);
  if (isFencedError(error)) {
    return new KafkaSinkError(
      'FENCED',
      `${what}: fenced by a newer producer with the same transactional id (another run of this resource took over): ${reason}`,
      { cause: error },
    );
  }
  if (isConnectionError(error)) {
    return new KafkaSinkError(
      'KAFKA_CONNECTION',
      `${what}: Kafka brokers ${brokers.join(',')} failed: ${reason}`,
      {
        cause: error,
        retriable: true,
      },
    );
  }
  const retriable = !isPermanentError(error) && [...errorChain(error)].some((e) => e.retriable === true);
  return new KafkaSinkError('TRANSACTION', `${what} (brokers ${brokers.join(',')}): ${reason}`, {
    cause: error,
    retriable,
  });
}

/** Builds the kafkajs client from our options and turns kafkajs errors into `KafkaSinkError`s. */
import kafkajs, { type Kafka, type logCreator, type SASLOptions } from 'kafkajs';
import { registerZstdCodec, zstdAvailable } from './codecs.js';
import { describeError, KafkaSinkError } from './errors.js';
import type { Logger, ResolvedConnection } from './options.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

/** What a client needs: `ResolvedOptions` has it all. */
export interface ClientOptions {
  kafka: ResolvedConnection;
  logger?: Logger | undefined;
  producer: { retries: number };
}

export function createKafka(options: ClientOptions): Kafka {
  const { kafka, logger } = options;
  // Readers (state store, snapshot scans) must decode zstd batches whatever this sink writes.
  if (zstdAvailable()) registerZstdCodec();
  return new KafkaClient({
    brokers: kafka.brokers,
    clientId: kafka.clientId,
    ...(kafka.ssl === undefined ? {} : { ssl: kafka.ssl }),
    ...(kafka.sasl ? { sasl: kafka.sasl as SASLOptions } : {}),
    connectionTimeout: kafka.connectionTimeout,
    requestTimeout: kafka.requestTimeout,
    retry: { retries: options.producer.retries, initialRetryTime: 300, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator: logger ? kafkaJsLogCreator(logger) : silent,
  });
}

const silent: logCreator = () => () => {};

/**
 * kafkajs lines that are expected and handled, so an operator never needs to act on them:
 * - errors for `CONCURRENT_TRANSACTIONS` (worded "concurrent operation on the same transaction"),
 *   which kafkajs retries itself between back-to-back transactions;
 * - "Limiting retries for the idempotent producer may invalidate EoS guarantees", printed for every
 *   producer: retries are bounded on purpose and the writer recovers transactions itself;
 * - "Failed to send messages: This server does not host this topic-partition" (or "not the
 *   leader") while a just-created topic settles: kafkajs refreshes metadata and retries.
 * A failure that outlives these retries reaches the caller as a `KafkaSinkError`.
 */
const EXPECTED_NOISE = [
  /CONCURRENT_TRANSACTIONS|concurrent transaction|concurrent operation on the same transaction/i,
  /Limiting retries for the idempotent producer/i,
  /Failed to send messages: .*(does not host this topic-partition|not the leader|no leader for this topic-partition)/i,
  // A consumer that crashed on a retriable answer is restarted by kafkajs; a reader that cannot
  // recover fails its caller (catch-up timeout), which reports it.
  /Restarting the consumer in/i,
];

/**
 * Broker answers that a fresh or busy cluster gives for a while and that waiting heals: coordinator
 * loading / not available / not coordinator (codes 14, 15, 16), leader elections (5, 6), metadata
 * races (3), a rebalance (27). kafkajs logs each one at ERROR before it retries; we retry them too
 * (see settle.ts), and a failure that outlives the retries reaches the caller as an error.
 */
const TRANSIENT_ANSWERS =
  /coordinator is loading|coordinator is not available|not the correct coordinator|no leader for this topic-partition|not the leader|leader is not available|There is no leader|does not host this topic-partition|group is rebalancing|REBALANCE_IN_PROGRESS|GROUP_LOAD_IN_PROGRESS|GROUP_COORDINATOR_NOT_AVAILABLE|NOT_COORDINATOR/i;

/**
 * Whether a kafkajs line is one of the expected, self-healing ones above (its `Connection` lines
 * come once per error response, before kafkajs decides to retry).
 */
function isExpectedNoise(haystack: string): boolean {
  return EXPECTED_NOISE.some((pattern) => pattern.test(haystack)) || TRANSIENT_ANSWERS.test(haystack);
}

/** kafkajs logs through our logger, with its expected noise (above) demoted to debug. */
export function kafkaJsLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log, namespace }) => {
      const { message, ...extra } = log;
      const line = { component: 'kafkajs', namespace, ...extra };
      const text = String(message);
      const haystack = `${text} ${String(extra.error ?? '')}`;
      if (isExpectedNoise(haystack)) {
        logger.debug(line, text);
        return;
      }
      if (level === logLevel.ERROR) logger.error(line, text);
      else if (level === logLevel.WARN) logger.warn(line, text);
      else if (level === logLevel.INFO) logger.info(line, text);
      else logger.debug(line, text);
    };
}

export interface KafkaJsErrorShape {
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
 * Walks kafkajs's wrapped errors: retries exceeded → cause → protocol error, and the per-topic
 * errors of an aggregate error (CreateTopics answers one per topic).
 */
export function* errorChain(error: unknown): Generator<KafkaJsErrorShape> {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 16; seen++) {
    const current = queue.shift();
    if (!current || typeof current !== 'object') continue;
    const e = current as KafkaJsErrorShape;
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

function isConnectionError(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSConnectionClosedError') return true;
    if (e.name === 'KafkaJSBrokerNotFound' || e.name === 'KafkaJSSASLAuthenticationError') return true;
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

/** Converts an error thrown by kafkajs while doing `what` into a `KafkaSinkError` naming the brokers. */
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

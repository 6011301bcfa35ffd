/** Builds the kafkajs client from our options and turns kafkajs errors into `KafkaSinkError`s. */
import kafkajs, { type Kafka, type logCreator, type SASLOptions } from 'kafkajs';
import type { ClientOptions } from '../kafka-port.js';
import type { Logger } from '../options.js';
import { zstdAvailable } from '../zstd.js';
import { registerZstdCodec } from './codecs.js';
import { kafkajsRetry } from './retry.js';

const { Kafka: KafkaClient, logLevel } = kafkajs;

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
    retry: kafkajsRetry(options.producer.retries),
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

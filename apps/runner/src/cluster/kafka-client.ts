import { kafkaJsLogCreator } from '@siphon/sink-kafka';
import kafkajs from 'kafkajs';
import type { KafkaConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { kafkaConnection } from '../pipeline/sink-options.js';

const { Kafka, logLevel } = kafkajs;

/**
 * What kafkajs says about the group protocol's ordinary business (rebalances, a member the
 * coordinator forgot, fenced transactional ids) and about a units topic that is still settling
 * (retried by units-topic.ts) is reported by our own log lines. The sink's log creator already
 * demotes the noise of transactional producers and of produce retries on fresh topics.
 */
const GROUP_NOISE =
  /rebalanc|re-?join|not aware of this member|REBALANCE_IN_PROGRESS|UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|generation id is not valid|member id is not valid|coordinator is not aware|producer attempted to use a producer id|PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|epoch|not the leader for that topic-partition|does not host this topic-partition|Topic creation errors/i;

/** kafkajs logs through the sink's log creator, with the group's expected noise at debug as well. */
export function clusterLogCreator(logger: Logger): kafkajs.logCreator {
  const sink = kafkaJsLogCreator(logger);
  return (level) => {
    const write = sink(level);
    return (entry) => {
      const { message, error } = entry.log as { message: unknown; error?: unknown };
      const expected = GROUP_NOISE.test(`${String(message)} ${String(error ?? '')}`);
      write(expected ? { ...entry, level: logLevel.DEBUG } : entry);
    };
  };
}

export function kafkaClient(config: KafkaConfig, clientSuffix: string, logger: Logger): kafkajs.Kafka {
  const connection = kafkaConnection(config);
  return new Kafka({
    brokers: connection.brokers,
    clientId: `${connection.clientId ?? 'siphon'}-${clientSuffix}`,
    ssl: connection.ssl,
    ...(connection.sasl ? { sasl: connection.sasl as kafkajs.SASLOptions } : {}),
    connectionTimeout: connection.connectionTimeout ?? 10_000,
    requestTimeout: connection.requestTimeout ?? 30_000,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator: clusterLogCreator(logger),
  });
}

import kafkajs from 'kafkajs';
import type { KafkaConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { kafkaConnection } from '../pipeline/sink-options.js';

const { Kafka, logLevel } = kafkajs;

/**
 * What kafkajs says about the group protocol's ordinary business (rebalances, a member the
 * coordinator forgot, fenced transactional ids) is reported by our own log lines; its copies of
 * those go to debug so an operator's error log stays meaningful.
 */
const EXPECTED =
  /rebalanc|re-?join|not aware of this member|REBALANCE_IN_PROGRESS|UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|generation id is not valid|member id is not valid|coordinator is not aware|CONCURRENT_TRANSACTIONS|concurrent transaction|Limiting retries for the idempotent producer|producer attempted to use a producer id|PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|epoch|another concurrent operation|not the leader for that topic-partition|Topic creation errors/i;

export function kafkaClient(config: KafkaConfig, clientSuffix: string, logger: Logger): kafkajs.Kafka {
  const connection = kafkaConnection(config);
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    brokers: connection.brokers,
    clientId: `${connection.clientId ?? 'siphon'}-${clientSuffix}`,
    ssl: connection.ssl,
    ...(connection.sasl ? { sasl: connection.sasl as kafkajs.SASLOptions } : {}),
    connectionTimeout: connection.connectionTimeout ?? 10_000,
    requestTimeout: connection.requestTimeout ?? 30_000,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, namespace, log: entry }) => {
        const { message, ...extra } = entry;
        const text = String(message);
        const line = { namespace, ...extra };
        if (EXPECTED.test(`${text} ${String(extra.error ?? '')}`)) log.debug(line, text);
        else if (level === logLevel.ERROR) log.error(line, text);
        else if (level === logLevel.WARN) log.warn(line, text);
        else log.debug(line, text);
      },
  });
}

import { createKafkaPort, type KafkaPort, type Logger as SinkLogger } from '@siphon/sink-kafka';
import type { KafkaConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';

/**
 * What the Kafka client says about the group protocol's ordinary business (rebalances, a member the
 * coordinator forgot, fenced transactional ids) and about a units topic that is still settling
 * (retried by units-topic.ts) is reported by our own log lines. The sink's adapter already demotes
 * the noise of transactional producers, of coordinators still loading and of produce retries on
 * fresh topics.
 */
const GROUP_NOISE =
  /rebalanc|re-?join|not aware of this member|REBALANCE_IN_PROGRESS|UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|generation id is not valid|member id is not valid|coordinator is not aware|producer attempted to use a producer id|PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|epoch|not the leader for that topic-partition|does not host this topic-partition|Topic creation errors/i;

/** The client's log lines through our logger, with the group's expected noise at debug as well. */
export function clusterLogger(logger: Logger): SinkLogger {
  const demoted = (level: 'warn' | 'error') => (obj: object, msg?: string) => {
    const error = (obj as { error?: unknown }).error;
    if (GROUP_NOISE.test(`${msg ?? ''} ${String(error ?? '')}`)) logger.debug(obj, msg);
    else logger[level](obj, msg);
  };
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.info(obj, msg),
    warn: demoted('warn'),
    error: demoted('error'),
  };
}

export interface PortOptions {
  /** Client-level retries of each request (default 5). */
  retries?: number;
  /** Caps the connection and request timeouts (probes fail fast). */
  timeoutMs?: number;
  /** Without one the client logs nothing. */
  logger?: Logger | undefined;
}

/** A Kafka client (the sink's port) for the runner's own use: cluster, probes, topic commands. */
export function kafkaPort(config: KafkaConfig, clientSuffix: string, options: PortOptions = {}): KafkaPort {
  const connection = config;
  const cap = (ms: number) => (options.timeoutMs === undefined ? ms : Math.min(ms, options.timeoutMs));
  return createKafkaPort({
    kafka: {
      ...connection,
      clientId: `${connection.clientId}-${clientSuffix}`,
      connectionTimeout: cap(connection.connectionTimeout),
      requestTimeout: cap(connection.requestTimeout),
    },
    logger: options.logger ? clusterLogger(options.logger) : undefined,
    producer: { retries: options.retries ?? 5 },
  });
}

/** Picks the adapter behind the Kafka port from `kafka.client`. */

import type { ResolvedConnection } from './config.js';
import { createConfluentPort } from './confluent/adapter.js';
import { createKafkaJsPort } from './kafkajs/adapter.js';
import type { Logger } from './options.js';
import type { KafkaPort } from './port.js';

/** What a client needs: `ResolvedOptions` has it all. */
export interface ClientOptions {
  kafka: ResolvedConnection;
  logger?: Logger | undefined;
  producer: { retries: number };
}

/** The adapter `kafka.client` names: `kafkajs` (default) or `confluent` (librdkafka). */
export function createKafkaPort(options: ClientOptions): KafkaPort {
  return options.kafka.client === 'confluent' ? createConfluentPort(options) : createKafkaJsPort(options);
}

/** Picks the adapter behind the Kafka port from `kafka.client`. */
import { createKafkaJsPort } from './kafkajs/adapter.js';
import type { Logger, ResolvedConnection } from './options.js';
import type { KafkaPort } from './port.js';

/** What a client needs: `ResolvedOptions` has it all. */
export interface ClientOptions {
  kafka: ResolvedConnection;
  logger?: Logger | undefined;
  producer: { retries: number };
}

export function createKafkaPort(options: ClientOptions): KafkaPort {
  return createKafkaJsPort(options);
}

import {
  COORDINATOR_SETTLE_POLICY,
  type KafkaPort,
  type ResolvedOptions,
  transactionalId,
  untilSettled,
} from '@siphon/sink-kafka';
import type { Logger } from '../logging/logger.js';
import type { PipelineRunner } from '../pipeline/pipeline-runner.js';
import { kafkaSinkOptions } from '../pipeline/sink-options.js';
import { kafkaPort } from './kafka-client.js';

/**
 * Fences a unit's previous owner as soon as this replica is given the unit: a short-lived producer
 * with the unit's stable `transactional.id` runs InitProducerId, which bumps the id's epoch and
 * makes the broker abort whatever transaction the old owner left open. From then on the old
 * owner's commits fail with INVALID_PRODUCER_EPOCH / PRODUCER_FENCED, and a `read_committed` read
 * of the unit's state is final. The unit's own runs later do the same through the sink.
 */
export class UnitFencer {
  readonly #logger: Logger;
  readonly #clients = new Map<string, KafkaPort>();
  readonly #options = new Map<string, ResolvedOptions>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  transactionalIdOf(runner: PipelineRunner, resource: string): string {
    const options = this.#resolved(runner);
    return transactionalId(options.transactionalIdPrefix, runner.config.name, runner.sourceName, resource);
  }

  /** Waits out a transaction coordinator that is loading or moving (fresh cluster, leader election). */
  async fence(runner: PipelineRunner, resource: string): Promise<void> {
    await untilSettled(
      `fencing ${this.transactionalIdOf(runner, resource)}`,
      () => this.#fenceOnce(runner, resource),
      {
        policy: COORDINATOR_SETTLE_POLICY,
        logger: this.#logger,
      },
    );
  }

  async #fenceOnce(runner: PipelineRunner, resource: string): Promise<void> {
    const options = this.#resolved(runner);
    const producer = this.#client(runner).transactionalProducer({
      transactionalId: this.transactionalIdOf(runner, resource),
      transactionTimeoutMs: options.transactions.timeoutMs,
      retries: options.producer.retries,
    });
    try {
      // InitProducerId bumps the id's epoch: the old owner's open transaction is aborted.
      await producer.init();
    } finally {
      await producer.close().catch(() => {});
    }
  }

  #resolved(runner: PipelineRunner): ResolvedOptions {
    let options = this.#options.get(runner.config.name);
    if (!options) {
      options = kafkaSinkOptions(runner.config);
      this.#options.set(runner.config.name, options);
    }
    return options;
  }

  #client(runner: PipelineRunner): KafkaPort {
    const key = runner.config.kafka.brokers.join(',');
    let client = this.#clients.get(key);
    if (!client) {
      client = kafkaPort(runner.config.kafka, 'fence', { logger: this.#logger });
      this.#clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((c) => c.close()));
    this.#clients.clear();
  }
}

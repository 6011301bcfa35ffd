/**
 * One transactional producer per (pipeline, source, resource). Its transactional id is stable
 * across runs, so creating it fences whatever older producer still holds the id and makes the
 * broker abort that producer's open transaction. kafkajs cannot recover a producer whose EndTxn
 * failed, so recovery means a fresh producer under the same id.
 */
import type { Kafka, Producer, Transaction } from 'kafkajs';
import { kafkaError } from './client.js';
import type { Logger } from './options.js';
import { COORDINATOR_SETTLE_POLICY, untilSettled } from './settle.js';

export interface UnitOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  retries: number;
  brokers: string[];
  logger?: Logger | undefined;
}

export class TransactionalUnit {
  private producer: Producer | undefined;
  private readying: Promise<Producer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly options: UnitOptions,
  ) {}

  get transactionalId(): string {
    return this.options.transactionalId;
  }

  /** Connected, with its producer id initialised (which fences older owners of the id). */
  ready(): Promise<Producer> {
    this.readying ??= this.create().catch((error: unknown) => {
      this.readying = undefined;
      throw error;
    });
    return this.readying;
  }

  /**
   * On a fresh cluster the transaction coordinator is loading or not there yet for a while; each
   * try uses a new producer, since kafkajs's producer may be stuck after a failed InitProducerId.
   */
  private create(): Promise<Producer> {
    return untilSettled(
      `initialising transactional producer "${this.transactionalId}"`,
      () => this.createOnce(),
      {
        policy: COORDINATOR_SETTLE_POLICY,
        logger: this.options.logger,
      },
    );
  }

  private async createOnce(): Promise<Producer> {
    const { transactionalId, transactionTimeoutMs, retries, brokers } = this.options;
    const producer = this.kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: transactionTimeoutMs,
      allowAutoTopicCreation: false,
      // kafkajs's documented "unlimited retries when idempotent" never applies: the default is 5.
      retry: { retries, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    try {
      await producer.connect();
      // InitProducerId happens on the first transaction; an empty one sends no EndTxn.
      const fence = await producer.transaction();
      await fence.abort();
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw kafkaError(error, `initialising transactional producer "${transactionalId}"`, brokers);
    }
    this.producer = producer;
    return producer;
  }

  async begin(): Promise<Transaction> {
    const producer = await this.ready();
    try {
      return await producer.transaction();
    } catch (error) {
      throw kafkaError(error, `beginning a transaction for "${this.transactionalId}"`, this.options.brokers);
    }
  }

  /** Drops the current producer and creates a new one under the same transactional id. */
  async recreate(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    this.readying = undefined;
    await old?.disconnect().catch(() => {});
    await this.ready();
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.readying = undefined;
    await producer?.disconnect().catch(() => {});
  }
}

/**
 * One transactional producer per (pipeline, source, resource). Its transactional id is stable
 * across runs, so creating it fences whatever older producer still holds the id and makes the
 * broker abort that producer's open transaction. A producer whose EndTxn failed cannot be trusted
 * (kafkajs's is stuck for good), so recovery means a fresh producer under the same id.
 */
import { kafkaError } from './broker-errors.js';
import type { Compression } from './config.js';
import type { Logger } from './options.js';
import type { KafkaPort, KafkaTransaction, TransactionalProducer } from './port.js';
import { COORDINATOR_SETTLE_POLICY, untilSettled } from './settle.js';

export interface UnitOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  retries: number;
  brokers: string[];
  logger?: Logger | undefined;
  compression?: Compression;
}

export class TransactionalUnit {
  private producer: TransactionalProducer | undefined;
  private readying: Promise<TransactionalProducer> | undefined;

  constructor(
    private readonly port: KafkaPort,
    readonly options: UnitOptions,
  ) {}

  get transactionalId(): string {
    return this.options.transactionalId;
  }

  /** Connected, with its producer id initialised (which fences older owners of the id). */
  ready(): Promise<TransactionalProducer> {
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
  private create(): Promise<TransactionalProducer> {
    return untilSettled(
      `initialising transactional producer "${this.transactionalId}"`,
      () => this.createOnce(),
      {
        policy: COORDINATOR_SETTLE_POLICY,
        logger: this.options.logger,
      },
    );
  }

  private async createOnce(): Promise<TransactionalProducer> {
    const { transactionalId, transactionTimeoutMs, retries, brokers, compression } = this.options;
    const producer = this.port.transactionalProducer({
      transactionalId,
      transactionTimeoutMs,
      retries,
      ...(compression ? { compression } : {}),
    });
    try {
      await producer.init();
    } catch (error) {
      await producer.close().catch(() => {});
      throw kafkaError(error, `initialising transactional producer "${transactionalId}"`, brokers);
    }
    this.producer = producer;
    return producer;
  }

  async begin(): Promise<KafkaTransaction> {
    const producer = await this.ready();
    try {
      return await producer.begin();
    } catch (error) {
      throw kafkaError(error, `beginning a transaction for "${this.transactionalId}"`, this.options.brokers);
    }
  }

  /** Drops the current producer and creates a new one under the same transactional id. */
  async recreate(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    this.readying = undefined;
    await old?.close().catch(() => {});
    await this.ready();
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.readying = undefined;
    await producer?.close().catch(() => {});
  }
}

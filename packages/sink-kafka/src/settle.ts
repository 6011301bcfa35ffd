/**
 * Right after CreateTopics, a KRaft broker has accepted the topic but may not have applied it yet:
 * for a moment metadata and produce requests answer "This server does not host this
 * topic-partition" and ListOffsets "not the leader". Two pipelines starting at once (both creating
 * the shared state topic) hit this often. Calls on fresh topics go through `untilSettled`, which
 * retries exactly these answers with exponential backoff, for a bounded time.
 */

import { retry, SiphonError } from '@siphon/core';
import { errorChain } from './broker-errors.js';
import { describeError } from './errors.js';
import type { Logger } from './options.js';

export interface SettlePolicy {
  /** Tries in all, the first included. */
  attempts: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/** 100 ms doubling to 2 s, ten tries: about 11 s of waiting at most. */
export const DEFAULT_SETTLE_POLICY: SettlePolicy = Object.freeze({
  attempts: 10,
  minDelayMs: 100,
  maxDelayMs: 2000,
});

/**
 * A fresh or busy cluster gives these for a while: leader elections and metadata races, and the
 * group / transaction coordinator loading its partition of `__consumer_offsets` or
 * `__transaction_state` (created on first use) or having moved.
 */
const SETTLING_TYPES = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  // kafkajs's name for NOT_LEADER_OR_FOLLOWER (error code 6).
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REPLICA_NOT_AVAILABLE',
  // Codes 14, 15, 16 under kafkajs's and Kafka's names.
  'GROUP_LOAD_IN_PROGRESS',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'NOT_COORDINATOR',
]);
const SETTLING_CODES = new Set([3, 5, 6, 9, 14, 15, 16]);

/**
 * For calls that need a coordinator (InitProducerId, group joins): on a freshly formatted broker the
 * first one creates `__transaction_state` / `__consumer_offsets` (50 partitions each) and loads
 * them, which takes tens of seconds on a loaded machine. 200 ms doubling to 5 s, 20 tries: about
 * 80 s of waiting at most.
 */
export const COORDINATOR_SETTLE_POLICY: SettlePolicy = Object.freeze({
  attempts: 20,
  minDelayMs: 200,
  maxDelayMs: 5000,
});

/** Our own finding that a topic is not ready yet (e.g. metadata lists fewer partitions with a leader). */
// A SiphonError but not a KafkaSinkError: kafkaError() must still wrap it with the brokers' names.
export class TopicSettlingError extends SiphonError {
  readonly type = 'LEADER_NOT_AVAILABLE';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'KAFKA_TOPIC_SETTLING', retriable: true, cause: options.cause });
  }
}

/** An answer a broker gives while a just-created topic settles, and which waiting heals. */
export function isSettlingError(error: unknown): boolean {
  for (const e of errorChain(error)) {
    if (e.type && SETTLING_TYPES.has(e.type)) return true;
    if (
      typeof e.code === 'number' &&
      SETTLING_CODES.has(e.code) &&
      (e.retriable === true || /ProtocolError$/.test(e.name ?? ''))
    )
      return true;
    // kafkajs's createTopics gives up waiting for leaders with this.
    if (/Timed out while waiting for topic leaders/.test(e.message ?? '')) return true;
  }
  return false;
}

/** Runs `call`, retrying while the broker answers as for a topic that is still settling. */
export async function untilSettled<T>(
  what: string,
  call: () => Promise<T>,
  options: { policy?: SettlePolicy; logger?: Logger | undefined } = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_SETTLE_POLICY;
  return retry(() => call(), {
    maxAttempts: policy.attempts,
    initialDelayMs: policy.minDelayMs,
    maxDelayMs: policy.maxDelayMs,
    jitter: 'none',
    retriable: isSettlingError,
    onRetry: ({ error, attempt, delayMs }) =>
      options.logger?.debug(
        {
          component: 'sink-kafka',
          attempt,
          retry_in_ms: delayMs,
          error: describeError(error),
        },
        `${what}: the cluster is not ready yet (topic or coordinator settling); retrying`,
      ),
  });
}

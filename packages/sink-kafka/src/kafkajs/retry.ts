/**
 * kafkajs retries each request itself (metadata refreshes, reconnects, coordinator lookups), with
 * its own loop: we cannot route it through core's `retry`, only give it its numbers. Every kafkajs
 * `retry` block (the client's, the transactional and the plain producers') is built here, from one
 * policy; our own loops on top (`untilSettled`, the writer's outage recovery) use core's `retry`.
 */
import type { BackoffPolicy } from '@siphon/core';
import type { RetryOptions } from 'kafkajs';

/** 300 ms doubling up to 10 s between kafkajs's tries of one request (its default cap is 30 s). */
export const KAFKAJS_REQUEST_BACKOFF: BackoffPolicy = Object.freeze({
  initialDelayMs: 300,
  maxDelayMs: 10_000,
  factor: 2,
});

/** kafkajs's `retry` option for `retries` tries after the first (`producer.retries`). */
export function kafkajsRetry(retries: number): RetryOptions {
  return {
    retries,
    initialRetryTime: KAFKAJS_REQUEST_BACKOFF.initialDelayMs,
    maxRetryTime: KAFKAJS_REQUEST_BACKOFF.maxDelayMs,
    multiplier: KAFKAJS_REQUEST_BACKOFF.factor ?? 2,
  };
}

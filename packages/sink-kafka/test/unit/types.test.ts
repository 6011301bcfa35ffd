/**
 * Type-level tests of the sink's public API: the sink is a core `Sink`, the port is Siphon's own
 * (no client library type leaks out), and a commit tells what it wrote (checked by `pnpm typecheck`).
 */
import type { Sink, SiphonError, StateStore } from '@siphon/core';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createKafkaSink,
  type KafkaPort,
  type KafkaSink,
  type KafkaSinkError,
  type KafkaStateStore,
  type KafkaTransaction,
  type WrittenOffset,
} from '../../src/index.js';
import { FakeKafka } from '../../src/testing.js';

describe('@siphon/sink-kafka public types', () => {
  it('creates a core Sink whose state store is a core StateStore', () => {
    expectTypeOf(createKafkaSink).returns.toEqualTypeOf<KafkaSink>();
    expectTypeOf<KafkaSink>().toExtend<Sink>();
    expectTypeOf<KafkaStateStore>().toExtend<StateStore>();
  });

  it('exposes the Kafka port in its own types, and a fake of it for tests', () => {
    expectTypeOf<KafkaSink['port']>().toEqualTypeOf<KafkaPort>();
    expectTypeOf(new FakeKafka().port()).toEqualTypeOf<KafkaPort>();
    expectTypeOf<ReturnType<KafkaTransaction['commit']>>().toEqualTypeOf<Promise<WrittenOffset[]>>();
    expectTypeOf<WrittenOffset>().toEqualTypeOf<{ topic: string; partition: number; offset: string }>();
  });

  it('throws errors under the one root', () => {
    expectTypeOf<KafkaSinkError>().toExtend<SiphonError>();
  });
});

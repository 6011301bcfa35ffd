import { infraConfig } from '@siphon/testkit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaSchema, registrySchema } from '../src/config/schema.js';
import { waitForInfra } from '../src/ops/wait-for-infra.js';

const logger = pino({ level: 'silent' });
// Parsed by the pipelines file's own schemas, so every default a run has is there.
const kafka = (brokers: string[]) => kafkaSchema.parse({ brokers, client_id: 'siphon-wait-test' });
const registry = (url: string) => registrySchema.parse({ url });

describe('waitForInfra (run --wait-for-infra)', () => {
  it('gives up after the timeout, naming what did not answer', async () => {
    const started = Date.now();
    await expect(
      waitForInfra(
        [{ kafka: kafka(['127.0.0.1:1']), registry: registry('http://127.0.0.1:1/apis/ccompat/v7') }],
        2500,
        logger,
        new AbortController().signal,
      ),
    ).rejects.toThrow(/still not reachable after 3s: Kafka at 127\.0\.0\.1:1 not reachable.*registry/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // it retried at least once
  });

  it('returns once Kafka, its transaction coordinator and the registry answer', async () => {
    const { brokers, registryUrl } = infraConfig();
    await expect(
      waitForInfra(
        [{ kafka: kafka(brokers), registry: registry(registryUrl) }],
        60_000,
        logger,
        new AbortController().signal,
      ),
    ).resolves.toBeUndefined();
  });
});

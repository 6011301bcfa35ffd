import { defineProject } from 'vitest/config';
import { siphonProject } from '../../vitest.shared.js';

// Most runner tests run the CLI against the real Kafka and registry, so a new test file is an
// integration test by default. These need no broker (a `run` of the CLI does: keep it out of here).
export default defineProject(
  siphonProject(import.meta.dirname, {
    unit: [
      'test/cli-output.test.ts',
      'test/cluster-assignment.test.ts',
      'test/config-errors.test.ts',
      'test/config.test.ts',
      'test/error-root.test.ts',
      'test/event-subscribers.test.ts',
      'test/examples.test.ts',
      'test/logging.test.ts',
      'test/ops.test.ts',
      'test/source-config.test.ts',
      'test/source-registry.test.ts',
      'test/unit-takeover.test.ts',
    ],
    // `runner (integration)` runs on kafkajs, `runner (integration-confluent)` runs the whole suite
    // again on librdkafka (scale-out and fencing, restarts, outages, snapshot deletes, the CLI).
    // fresh-broker.test.ts runs both clients itself, so it runs once.
    kafkaClients: {
      clients: ['kafkajs', 'confluent'],
      everyClient: ['test/fresh-broker.test.ts'],
    },
  }),
);

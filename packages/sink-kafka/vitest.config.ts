import { defineProject } from 'vitest/config';
import { siphonProject } from '../../vitest.shared.js';

// Tests under test/unit need no broker; any other test uses the real Kafka and registry, on each
// adapter behind the port: `sink-kafka (integration)` on kafkajs, `sink-kafka (integration-confluent)`
// on librdkafka. The conformance suite runs both adapters itself, so it runs once.
export default defineProject(
  siphonProject(import.meta.dirname, {
    unit: ['test/unit/**/*.test.ts'],
    kafkaClients: {
      clients: ['kafkajs', 'confluent'],
      everyClient: ['test/integration/port-conformance.test.ts'],
    },
  }),
);

import { defineProject } from 'vitest/config';
import { siphonProject } from '../../vitest.shared.js';

// Tests under test/integration use the real Kafka and registry; the rest need no broker.
export default defineProject(
  siphonProject(import.meta.dirname, { integration: ['test/integration/**/*.test.ts'] }),
);

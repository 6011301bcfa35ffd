import { defineProject } from 'vitest/config';
import { siphonProject } from '../../vitest.shared.js';

// The kit exists to reach the real Kafka and registry: its tests are integration tests unless listed here.
export default defineProject(siphonProject(import.meta.dirname, { unit: ['test/infra-script.test.ts'] }));

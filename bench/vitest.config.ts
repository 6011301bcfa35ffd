import { defineProject } from 'vitest/config';
import { siphonProject } from '../vitest.shared.js';

// The smoke test sits beside the harness it runs and runs it against the real Kafka; unit tests are under test/.
export default defineProject(
  siphonProject(import.meta.dirname, {
    include: ['smoke.test.ts', 'test/**/*.test.ts'],
    integration: ['smoke.test.ts'],
  }),
);

import { defineProject } from 'vitest/config';
import { siphonProject } from '../vitest.shared.js';

const project = siphonProject(import.meta.dirname, { kafka: true });

// The smoke test sits beside the harness it runs (bench/smoke.test.ts); unit tests are under test/.
export default defineProject({
  ...project,
  test: { ...project.test, include: ['smoke.test.ts', 'test/**/*.test.ts'] },
});

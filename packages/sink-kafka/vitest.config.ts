import { defineProject } from 'vitest/config';
import { siphonProject } from '../../vitest.shared.js';

// Tests under test/unit need no broker; any other test uses the real Kafka and registry.
export default defineProject(siphonProject(import.meta.dirname, { unit: ['test/unit/**/*.test.ts'] }));

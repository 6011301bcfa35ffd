import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'bench'],
    reporters: ['default', './scripts/vitest-closing-line.ts'],
    // Two cores: more workers only add contention with the broker and the registry.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'bench'],
    reporters: ['default', './scripts/vitest-closing-line.ts'],
    // Workers are set per project in vitest.shared.ts: projects do not inherit a root `maxWorkers`.
  },
});

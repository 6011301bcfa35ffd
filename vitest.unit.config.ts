import { defineConfig } from 'vitest/config';
import runner from './apps/runner/vitest.config.js';
import sandbox from './apps/sandbox/vitest.config.js';
import bench from './bench/vitest.config.js';
import authOauth2 from './packages/auth-oauth2/vitest.config.js';
import avro from './packages/avro/vitest.config.js';
import core from './packages/core/vitest.config.js';
import errors from './packages/errors/vitest.config.js';
import paginators from './packages/paginators/vitest.config.js';
import sinkKafka from './packages/sink-kafka/vitest.config.js';
import sourceAnalytics from './packages/source-analytics/vitest.config.js';
import sourceBilling from './packages/source-billing/vitest.config.js';
import testkit from './packages/testkit/vitest.config.js';
import { unitTestsOfAll } from './vitest.shared.js';

// `pnpm test:unit`: every package's unit tests (the `<package> (unit)` projects of the configs
// below, the same files) as one project. A package added without a line here fails loudly.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/vitest-closing-line.ts'],
    projects: [
      unitTestsOfAll({
        'apps/runner': runner,
        'apps/sandbox': sandbox,
        bench: bench,
        'packages/auth-oauth2': authOauth2,
        'packages/avro': avro,
        'packages/core': core,
        'packages/errors': errors,
        'packages/paginators': paginators,
        'packages/sink-kafka': sinkKafka,
        'packages/source-analytics': sourceAnalytics,
        'packages/source-billing': sourceBilling,
        'packages/testkit': testkit,
      }),
    ],
  },
});

/**
 * A new user's first run: a freshly formatted broker (its group and transaction coordinators not
 * loaded yet, `__consumer_offsets` and `__transaction_state` not even created) and the demo
 * pipelines started at once, as `./dev demo` does. Repeated on several fresh brokers, since the
 * failures this guards against were races that hit most, not all, first runs.
 */
import { PRIVATE_INFRA_HOOK_MS, type PrivateInfra, startPrivateInfra } from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPath, spawnCli } from './helpers/runner.js';

const ROUNDS = Number(process.env.SIPHON_FRESH_BROKER_ROUNDS ?? 5);
/** Every adapter gets its own fresh brokers. */
const CLIENTS = (process.env.SIPHON_FRESH_BROKER_CLIENTS ?? 'kafkajs,confluent')
  .split(',')
  .map((c) => c.trim());
/** A format takes 15-40 s on a loaded 2-core machine, a demo run about as long. */
const PER_ROUND_MS = 180_000;

describe('first run on a freshly formatted broker', () => {
  let infra: PrivateInfra;

  beforeAll(async () => {
    infra = await startPrivateInfra();
  }, PRIVATE_INFRA_HOOK_MS);

  afterAll(async () => {
    await infra?.down();
  }, 120_000);

  it.each(CLIENTS)(
    `on %s: runs the demo pipelines at once, exit 0 and no error-level line, on ${ROUNDS} fresh brokers in a row`,
    async (client) => {
      for (let round = 1; round <= ROUNDS; round++) {
        // The first round of the first client gets the broker beforeAll formatted.
        if (round > 1 || client !== CLIENTS[0]) await infra.reformatKafka();
        const demo = spawnCli(
          ['--size', '30', '--prefix', `fresh-${client}-${round}`],
          {
            KAFKA_BROKERS: infra.brokers.join(','),
            SCHEMA_REGISTRY_URL: infra.registryUrl,
            SIPHON_KAFKA_CLIENT: client,
            // The demo passes it on to `siphon run --once`: every line at info and above is seen.
            SIPHON_LOG_LEVEL: 'info',
          },
          demoPath,
        );
        const { code } = await demo.exited;
        const lines = `${demo.stdout()}\n${demo.stderr()}`
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        const problems = lines.filter(
          (line) => line.level === 'error' || line.level === 'fatal' || line.level === 'warn',
        );
        expect(
          { client, round, code, problems: problems.map((p) => p.msg) },
          `${client} round ${round}:\n${demo.stdout().slice(-2000)}\n${demo.stderr().slice(-4000)}`,
        ).toEqual({ client, round, code: 0, problems: [] });
        expect(demo.stdout()).toContain('every topic matches the API');
      }
    },
    ROUNDS * PER_ROUND_MS,
  );
});

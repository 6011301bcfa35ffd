import { containerEngineAnswers, startContainerInfra } from './containers.js';
import { ensureInfra } from './infra.js';

/**
 * vitest globalSetup for projects that talk to the real Kafka and registry. With neither
 * KAFKA_BROKERS nor SCHEMA_REGISTRY_URL set and a container engine answering, Kafka and the registry
 * start as containers (testcontainers) and stop at the end of the run; otherwise the local infra
 * (infra/infra.sh) as before. SIPHON_TESTCONTAINERS=0 forces the local infra.
 */
export default async function setup() {
  const pointed = process.env.KAFKA_BROKERS || process.env.SCHEMA_REGISTRY_URL;
  if (!pointed && process.env.SIPHON_TESTCONTAINERS !== '0' && (await containerEngineAnswers())) {
    const infra = await startContainerInfra();
    process.env.KAFKA_BROKERS = infra.brokers.join(',');
    process.env.SCHEMA_REGISTRY_URL = infra.registryUrl;
    process.stderr.write(
      `testkit: Kafka ${infra.brokers.join(',')} and registry ${infra.registryUrl} in containers\n`,
    );
    return async () => {
      await infra.stop();
      delete process.env.KAFKA_BROKERS;
      delete process.env.SCHEMA_REGISTRY_URL;
    };
  }
  const config = await ensureInfra();
  process.env.KAFKA_BROKERS ??= config.brokers.join(',');
  process.env.SCHEMA_REGISTRY_URL ??= config.registryUrl;
}

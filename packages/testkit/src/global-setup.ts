import { ensureInfra } from './infra.js';

/** vitest globalSetup for projects that talk to the real Kafka and registry. */
export default async function setup() {
  const config = await ensureInfra();
  process.env.KAFKA_BROKERS ??= config.brokers.join(',');
  process.env.SCHEMA_REGISTRY_URL ??= config.registryUrl;
}

import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';

export interface InfraConfig {
  brokers: string[];
  registryUrl: string;
}

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const startHint =
  'start it with `pnpm infra:up` (needs Java 17+), or point KAFKA_BROKERS / SCHEMA_REGISTRY_URL at a running one';

/** Where the tests' Kafka and Schema Registry are: the environment, else the project's local infra. */
export function infraConfig(): InfraConfig {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const registryUrl = (process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7').replace(
    /\/$/,
    '',
  );
  return { brokers, registryUrl };
}

function tcpReachable(hostPort: string, timeoutMs = 2000): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i);
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function registryReachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Lists what is not reachable, as readable fragments; empty when all is up. */
export async function unreachableInfra(config = infraConfig()): Promise<string[]> {
  const missing: string[] = [];
  const brokerUp = await Promise.all(config.brokers.map((b) => tcpReachable(b)));
  if (!brokerUp.some(Boolean)) missing.push(`Kafka at ${config.brokers.join(',')}`);
  if (!(await registryReachable(config.registryUrl)))
    missing.push(`Schema Registry at ${config.registryUrl}`);
  return missing;
}

/**
 * Makes sure the real Kafka and registry answer. When the environment names none and nothing runs
 * locally, it starts the project's own infra; it never lets a test skip silently.
 */
export async function ensureInfra(): Promise<InfraConfig> {
  const config = infraConfig();
  let missing = await unreachableInfra(config);
  if (missing.length === 0) return config;
  const pointedElsewhere = process.env.KAFKA_BROKERS || process.env.SCHEMA_REGISTRY_URL;
  if (!pointedElsewhere && process.env.SIPHON_AUTOSTART_INFRA !== '0') {
    const run = spawnSync('bash', [path.join(repoRoot, 'infra/infra.sh'), 'up'], { stdio: 'inherit' });
    if (run.status === 0) missing = await unreachableInfra(config);
  }
  if (missing.length > 0) throw new Error(`${missing.join(' and ')} not reachable: ${startHint}`);
  return config;
}

let counter = 0;
/** A topic or id name no other test run uses: Kafka topics outlive a test. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${counter}`;
}

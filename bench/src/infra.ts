/**
 * Kafka and the Schema Registry for the benchmark: the environment's (KAFKA_BROKERS,
 * SCHEMA_REGISTRY_URL) when given, else the project's local infra, started by `infra/infra.sh up`
 * when it is not running, and stopped again at the end only if this harness started it.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './paths.ts';

export interface Infra {
  brokers: string[];
  registryUrl: string;
  /** Stops what `ensureInfra` started; a no-op otherwise. */
  release(): void;
}

const SCRIPT = path.join(REPO_ROOT, 'infra/infra.sh');

function infraScript(args: string[], inherit: boolean): number {
  const run = spawnSync('bash', [SCRIPT, ...args], { stdio: inherit ? ['ignore', 2, 2] : 'ignore' });
  return run.status ?? 1;
}

async function registryAnswers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

export async function ensureInfra(log: (line: string) => void): Promise<Infra> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  const registryUrl = (process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7').replace(
    /\/+$/,
    '',
  );
  const external = Boolean(process.env.KAFKA_BROKERS || process.env.SCHEMA_REGISTRY_URL);
  let started = false;

  if (!external && infraScript(['status'], false) !== 0) {
    log('local Kafka and registry are not running: bash infra/infra.sh up');
    if (infraScript(['up'], true) !== 0) throw new Error('`bash infra/infra.sh up` failed (see above)');
    started = true;
  }
  if (!(await registryAnswers(registryUrl))) {
    throw new Error(
      `the Schema Registry at ${registryUrl} does not answer: start it with \`bash infra/infra.sh up\` or set SCHEMA_REGISTRY_URL`,
    );
  }
  return {
    brokers,
    registryUrl,
    release() {
      if (!started) return;
      log('stopping the local infra this run started: bash infra/infra.sh down');
      infraScript(['down'], true);
    },
  };
}

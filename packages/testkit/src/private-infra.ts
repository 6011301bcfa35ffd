/**
 * A private Kafka broker and Schema Registry for tests that format, restart or kill a broker: own
 * cache folder, own free ports, started and stopped with the project's infra/infra.sh, so the
 * shared infra (and any process on 9092/8081) is never touched.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const infraScript = path.join(repoRoot, 'infra/infra.sh');

export interface PrivateInfra {
  brokers: string[];
  registryUrl: string;
  /** The environment infra.sh runs with (SIPHON_CACHE and the ports). */
  env: Record<string, string>;
  /** Stops this broker, wipes its data and starts it freshly formatted; the registry keeps running. */
  reformatKafka(): Promise<void>;
  /** Stops this broker (SIGTERM, waits for its exit), keeping its data: a broker outage. */
  stopKafka(): Promise<void>;
  /** Starts the stopped broker again on the same port and data. */
  startKafka(): Promise<void>;
  /** Stops both and removes the private cache folder. */
  down(): Promise<void>;
}

/**
 * Where the project's infra cache keeps Kafka's jars and the unpacked registry: linking them saves
 * the private cache a Maven download. `SIPHON_CACHE` when set, else the default of scripts/env.sh and infra.sh.
 */
function sharedCaches(): string[] {
  return [process.env.SIPHON_CACHE, path.join(repoRoot, '.cache')].filter((dir): dir is string =>
    Boolean(dir),
  );
}

async function linkDownloads(cache: string): Promise<void> {
  for (const name of ['kafka-libs', 'apicurio-3.0.9']) {
    const source = sharedCaches()
      .map((dir) => path.join(dir, name))
      .find((dir) => existsSync(path.join(dir, '.complete')));
    if (source) await symlink(source, path.join(cache, name));
  }
}

async function infra(env: Record<string, string>, ...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run('bash', [infraScript, ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`infra.sh ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

async function waitForExit(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** infra.sh's bound on a private broker and registry coming up, in seconds. */
export const PRIVATE_INFRA_TIMEOUT_S = 300;
/** A hook that starts private infra: infra.sh's own bound, plus the format and the ready checks. */
export const PRIVATE_INFRA_HOOK_MS = (PRIVATE_INFRA_TIMEOUT_S + 120) * 1000;

/** Formats and starts a private broker and registry on free ports. */
export async function startPrivateInfra(): Promise<PrivateInfra> {
  const cache = await mkdtemp(path.join(tmpdir(), 'siphon-private-infra-'));
  await linkDownloads(cache);
  const [kafkaPort, controllerPort, registryPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    // A format and first start can take minutes on a loaded 2-core machine: infra.sh names what
    // did not come up when this runs out, so a test's own hook timeout is set above it.
    INFRA_TIMEOUT: process.env.INFRA_TIMEOUT ?? String(PRIVATE_INFRA_TIMEOUT_S),
    SIPHON_CACHE: cache,
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    REGISTRY_PORT: String(registryPort),
  };
  const infraUp = () => infra(env, 'up');
  const pidFile = path.join(cache, 'kafka.pid');
  const stopKafka = async () => {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    // Only the broker this helper started (its pid file, in its own cache folder).
    if (pid > 0) {
      process.kill(pid, 'SIGTERM');
      await waitForExit(pid);
    }
    await rm(pidFile, { force: true });
  };
  try {
    await infraUp();
  } catch (error) {
    await infra(env, 'down').catch(() => '');
    await rm(cache, { recursive: true, force: true });
    throw error;
  }
  return {
    brokers: [`127.0.0.1:${kafkaPort}`],
    registryUrl: `http://127.0.0.1:${registryPort}/apis/ccompat/v7`,
    env,
    async reformatKafka() {
      await stopKafka();
      await rm(path.join(cache, 'kafka/data'), { recursive: true, force: true });
      await infraUp();
    },
    stopKafka,
    async startKafka() {
      await infraUp();
    },
    async down() {
      await infra(env, 'down');
      await rm(cache, { recursive: true, force: true });
    },
  };
}

import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../src/ports.js';

/**
 * infra/infra.sh never adopts a process it did not start: a port held by anything else stops
 * `up` with a message naming the port and how to choose others. Nothing here starts a JVM.
 */

const script = path.resolve(import.meta.dirname, '../../../infra/infra.sh');
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A listener on a free port, held by this test process: "another project's" service. */
async function foreignListener(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

function infraSh(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const infraUp = (env: Record<string, string>) => infraSh(['up'], { ...process.env, ...env });

const advice = [
  '[infra] stop that process, or choose free ports, e.g.',
  '[infra]   KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 REGISTRY_PORT=18081 bash infra/infra.sh up',
  '[infra] and point Siphon and the tests at them:',
  '[infra]   KAFKA_BROKERS=127.0.0.1:19092 SCHEMA_REGISTRY_URL=http://127.0.0.1:18081/apis/ccompat/v7',
  '',
].join('\n');

describe('infra.sh up and ports it does not own', () => {
  it('stops, naming the Kafka port and its holder, instead of reusing a stranger', async () => {
    const kafkaPort = await foreignListener();
    const cache = await mkdtemp(path.join(tmpdir(), 'siphon-infra-'));
    const result = await infraUp({
      SIPHON_CACHE: cache,
      KAFKA_PORT: String(kafkaPort),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      REGISTRY_PORT: String(await freePort()),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const [first, ...rest] = result.stderr.split('\n');
    expect(first).toMatch(
      new RegExp(
        `^\\[infra\\] error: kafka: port ${kafkaPort} is in use by a process infra.sh did not start \\(pid ${process.pid}: .+\\); not reusing it\\.$`,
      ),
    );
    expect(rest.join('\n')).toBe(advice);
  });

  it('checks the controller port too, before downloading or formatting anything', async () => {
    const controllerPort = await foreignListener();
    const cache = await mkdtemp(path.join(tmpdir(), 'siphon-infra-'));
    const result = await infraUp({
      SIPHON_CACHE: cache,
      KAFKA_PORT: String(await freePort()),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      REGISTRY_PORT: String(await freePort()),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^\\[infra\\] error: kafka controller: port ${controllerPort} is in use by a process infra.sh did not start \\(pid ${process.pid}: `,
      ),
    );
    expect(result.stderr.endsWith(advice)).toBe(true);
  });
});

describe('infra.sh cache folder', () => {
  it("is the repo's .cache when SIPHON_CACHE is unset, the folder ./dev uses, so `pnpm infra:down` stops what `./dev demo` started", async () => {
    const { SIPHON_CACHE: _unset, ...env } = process.env;
    const result = await infraSh(['logs', 'kafka'], env);
    expect(result.code).toBe(0);
    const repoRoot = path.resolve(import.meta.dirname, '../../..');
    expect(result.stdout.split('\n')[0]).toBe(`[infra] logs: ${path.join(repoRoot, '.cache/logs')}`);
  });
});

/** Runs `bench/floor.ts` (no Siphon code) as a measured subprocess with the schemas Siphon registered. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { latestSchema } from './kafka.ts';
import { FLOOR_SCRIPT } from './paths.ts';
import { failureOf, type Measured, nodeArgs, runMeasured } from './proc.ts';
import type { SandboxProcess } from './sandbox.ts';

export interface FloorResult extends Measured {
  records: number;
  bytes: number;
  pages: number;
}

export interface FloorSchemas {
  key: { id: number; schema: string };
  value: { id: number; schema: string };
}

/** The key and value schemas (and ids) Siphon registered for `topic` (TopicNameStrategy subjects). */
export async function schemasOf(registryUrl: string, topic: string): Promise<FloorSchemas> {
  return {
    key: await latestSchema(registryUrl, `${topic}-key`),
    value: await latestSchema(registryUrl, `${topic}-value`),
  };
}

export async function runFloor(
  sandbox: SandboxProcess,
  options: { brokers: string[]; topic: string; schemas: FloorSchemas; resource: string; partitions: number },
): Promise<FloorResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'siphon-bench-floor-'));
  try {
    const keyFile = path.join(dir, 'key.json');
    const valueFile = path.join(dir, 'value.json');
    writeFileSync(keyFile, JSON.stringify(options.schemas.key));
    writeFileSync(valueFile, JSON.stringify(options.schemas.value));
    const [command, args] = nodeArgs(FLOOR_SCRIPT, [
      '--base-url',
      sandbox.billingUrl,
      '--token-url',
      sandbox.tokenUrl,
      '--client-id',
      sandbox.credentials.clientId,
      '--client-secret',
      sandbox.credentials.clientSecret,
      '--refresh-token',
      sandbox.credentials.refreshToken,
      '--path',
      `/${options.resource}`,
      '--selector',
      options.resource,
      '--brokers',
      options.brokers.join(','),
      '--topic',
      options.topic,
      '--partitions',
      String(options.partitions),
      '--key-schema',
      keyFile,
      '--value-schema',
      valueFile,
    ]);
    const run = await runMeasured(command, args, { timeoutMs: 60 * 60_000 });
    if (run.exitCode !== 0) throw failureOf('the floor loop', run);
    const line = run.stdout.trim().split('\n').pop() ?? '';
    const out = JSON.parse(line) as { records: number; bytes: number; pages: number };
    return { ...run, ...out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

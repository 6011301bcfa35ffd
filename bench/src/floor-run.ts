/**
 * Runs `bench/floor.ts` (no Siphon code but the sink's Kafka port) as a measured subprocess, in one of
 * its three configurations, with the schemas Siphon registered.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { latestSchema } from './kafka.ts';
import { FLOOR_SCRIPT } from './paths.ts';
import { failureOf, type Measured, nodeArgs, runMeasured } from './proc.ts';
import type { SandboxProcess } from './sandbox.ts';

/** The references of scenario 2; see floor.ts. */
export type Reference = 'ceiling' | 'best' | 'naive';

export const REFERENCES: Record<Reference, { label: string; args: string[] }> = {
  /** fetch + JSON.parse, pages ahead, no encoding, no Kafka. */
  ceiling: { label: 'source ceiling', args: ['--client', 'none', '--ahead', '3'] },
  /** Pages ahead, page-packed encoding, the native producer (confluent adapter), per-page sends. */
  best: {
    label: 'best floor',
    args: ['--client', 'confluent', '--ahead', '3', '--encoding', 'page', '--batch-bytes', '0'],
  },
  /** One page ahead, a buffer per record, kafkajs, one send per 1 MiB or 100 ms. */
  naive: { label: 'naive floor', args: ['--client', 'kafkajs', '--ahead', '1', '--encoding', 'record'] },
};

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
  options: {
    reference: Reference;
    brokers: string[];
    topic: string;
    schemas: FloorSchemas;
    resource: string;
    partitions: number;
  },
): Promise<FloorResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'siphon-bench-floor-'));
  try {
    const keyFile = path.join(dir, 'key.json');
    const valueFile = path.join(dir, 'value.json');
    writeFileSync(keyFile, JSON.stringify(options.schemas.key));
    writeFileSync(valueFile, JSON.stringify(options.schemas.value));
    const [command, args] = nodeArgs(FLOOR_SCRIPT, [
      ...REFERENCES[options.reference].args,
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
    if (run.exitCode !== 0) throw failureOf(`the ${REFERENCES[options.reference].label}`, run);
    const line = run.stdout.trim().split('\n').pop() ?? '';
    const out = JSON.parse(line) as { records: number; bytes: number; pages: number };
    return { ...run, ...out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

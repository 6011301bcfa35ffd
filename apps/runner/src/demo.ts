#!/usr/bin/env node
/**
 * The main demo (`./dev demo`): starts the API sandbox in-process, runs `siphon run --once` with
 * both seed pipelines (examples/demo.yaml) against the local Kafka and registry, then prints a
 * per-topic summary read back from Kafka and the registry, next to the sandbox's own counts.
 *
 *   node apps/runner/dist/demo.js [--size N] [--prefix NAME]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration, Redaction, SiphonError } from '@siphon/core';
import { startSandbox } from '@siphon/sandbox';
import { resolveConnection, resolveRegistry, SchemaRegistryClient } from '@siphon/sink-kafka';
import { loadPipelinesFile } from './config/load.js';
import { createLogger } from './logging/logger.js';
import { routeProcessWarnings } from './logging/process-warnings.js';
import { checkKafka, checkRegistry } from './ops/probes.js';
import { summarizeTopics } from './ops/topic-reader.js';
import { PipelineRunner } from './pipeline/pipeline-runner.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const pipelinesFile = path.join(repoRoot, 'examples/demo.yaml');
const cli = path.join(import.meta.dirname, 'cli.js');

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
routeProcessWarnings();

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { size: { type: 'string', default: '250' }, prefix: { type: 'string' } },
  });
  const size = Number(values.size);
  if (!Number.isInteger(size) || size < 0)
    throw new SiphonError('--size must be a whole number', { code: 'RUNNER_USAGE' });
  const prefix = values.prefix ?? `siphon-demo-${Date.now().toString(36)}`;
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`siphon demo: Kafka ${brokers}, registry ${registryUrl}, topic prefix ${prefix}`);
  const kafka = resolveConnection({
    brokers: brokers.split(','),
    client_id: 'siphon-demo',
    client: demoClient(process.env.SIPHON_KAFKA_CLIENT),
    connection_timeout: 5000,
    request_timeout: 10_000,
  });
  try {
    await checkKafka(kafka, 10_000);
    await checkRegistry(resolveRegistry({ url: registryUrl }), 10_000);
  } catch (error) {
    process.stderr.write(
      `siphon demo: ${(error as Error).message} (start them with: bash infra/infra.sh up)\n`,
    );
    return 1;
  }

  const sandbox = await startSandbox({ size });
  try {
    say(
      `sandbox: billing ${sandbox.billingUrl}, analytics ${sandbox.analyticsUrl}, ${size} records per resource`,
    );
    const env = {
      ...process.env,
      KAFKA_BROKERS: brokers,
      SCHEMA_REGISTRY_URL: registryUrl,
      SIPHON_TOPIC_PREFIX: prefix,
      BILLING_BASE_URL: sandbox.billingUrl,
      BILLING_TOKEN_URL: sandbox.tokenUrl,
      BILLING_CLIENT_ID: sandbox.credentials.clientId,
      BILLING_CLIENT_SECRET: sandbox.credentials.clientSecret,
      BILLING_REFRESH_TOKEN: sandbox.credentials.refreshToken,
      ANALYTICS_BASE_URL: sandbox.analyticsUrl,
      ANALYTICS_API_KEY: sandbox.credentials.apiKey,
    };
    say(`running: siphon run --once -c ${path.relative(process.cwd(), pipelinesFile)}`);
    const started = Date.now();
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          cli,
          'run',
          '--once',
          '-c',
          pipelinesFile,
          '--http-port',
          '0',
          '--log-level',
          process.env.SIPHON_LOG_LEVEL ?? 'error',
        ],
        { env, stdio: 'inherit' },
      );
      child.on('error', reject);
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    const wall = Date.now() - started;
    if (code !== 0) {
      process.stderr.write(`siphon demo: the runner exited with code ${code}\n`);
      return code;
    }
    say(`run finished in ${formatDuration(wall)}\n`);

    const file = await loadPipelinesFile(pipelinesFile, { env });
    const logger = createLogger({ level: 'silent', secrets: new Redaction() });
    const rows: Array<{ topic: string; api: 'billing' | 'analytics'; resource: string }> = [];
    for (const pipeline of file.pipelines) {
      const runner = new PipelineRunner(pipeline, {
        logger,
        secrets: new Redaction(),
        baseDir: path.dirname(file.file),
        stateKey: undefined,
      });
      await runner.prepare();
      for (const resource of runner.resourceNames) {
        rows.push({
          topic: runner.topicOf(resource),
          api: pipeline.name as 'billing' | 'analytics',
          resource,
        });
      }
      await runner.close();
    }
    const summaries = await summarizeTopics(
      kafka,
      rows.map((r) => r.topic),
    );
    const registry = new SchemaRegistryClient({ url: registryUrl });
    const table: string[][] = [['TOPIC', 'RECORDS', 'KEYS', 'API RECORDS', 'VALUE SCHEMA', '']];
    let mismatches = 0;
    for (const [i, row] of rows.entries()) {
      const summary = summaries[i];
      const latest = await registry.latest(`${row.topic}-value`);
      const truth = await sandbox.digest(row.api, row.resource);
      const ok = summary !== undefined && summary.liveKeys === truth.count;
      if (!ok) mismatches += 1;
      table.push([
        row.topic,
        String(summary?.messages ?? 0),
        String(summary?.liveKeys ?? 0),
        String(truth.count),
        latest ? `v${latest.version} (id ${latest.id})` : '-',
        ok ? 'ok' : 'MISMATCH',
      ]);
    }
    const widths = table[0]?.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length))) ?? [];
    for (const r of table)
      say(
        r
          .map((cell, c) => cell.padEnd(widths[c] ?? 0))
          .join('  ')
          .trimEnd(),
      );
    const total = summaries.reduce((n, s) => n + s.messages, 0);
    say(
      `\n${rows.length} topics, ${total} records, in ${formatDuration(wall)}; ${mismatches === 0 ? 'every topic matches the API' : `${mismatches} topic(s) differ from the API`}`,
    );
    return mismatches === 0 ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`siphon demo: ${(error as Error).message}\n`);
    process.exit(1);
  },
);

/** SIPHON_KAFKA_CLIENT picks the demo's Kafka client; unset, the pipelines file's default (auto). */
function demoClient(value: string | undefined): 'auto' | 'kafkajs' | 'confluent' {
  return value === 'kafkajs' || value === 'confluent' ? value : 'auto';
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startSandbox } from '@siphon/sandbox';
import { infraConfig, uniqueName } from '@siphon/testkit';
import { describe, expect, it } from 'vitest';
import { groundTruth } from './helpers/pipelines.js';
import { demoPath, repoRoot, spawnCli } from './helpers/runner.js';

const python = path.join(repoRoot, '.cache/venv/bin/python');
const script = path.join(import.meta.dirname, 'interop/read_topics.py');

interface TopicReport {
  messages: number;
  tombstones: number;
  distinct_keys: number;
  value_schema_ids: number[];
  compacted: Record<string, { id: string }>;
}

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('interop: the demo, read back by Confluent’s Python client', () => {
  it('runs the demo, and confluent-kafka’s AvroDeserializer decodes every topic it wrote', async () => {
    if (!existsSync(python)) {
      throw new Error(
        `${python} is missing: create it with \`bash scripts/python-venv.sh\` (confluent-kafka for the interop test)`,
      );
    }
    const prefix = uniqueName('demo');
    const size = 40;
    const demo = spawnCli(['--size', String(size), '--prefix', prefix], {}, demoPath);
    const exit = await demo.exited;
    expect(exit.code, `${demo.stdout()}\n${demo.stderr()}`).toBe(0);
    expect(demo.stdout()).toContain('23 topics, 920 records');
    expect(demo.stdout()).toContain('every topic matches the API');

    const topics = demo
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith(`${prefix}.`))
      .map((line) => line.split(/\s+/)[0] as string);
    expect(topics).toHaveLength(23);

    const { brokers, registryUrl } = infraConfig();
    const result = await runPython([
      '--bootstrap',
      brokers.join(','),
      '--registry',
      registryUrl,
      '--values',
      ...topics,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Record<string, TopicReport>;

    // The demo's sandbox used the default seed: the same data comes back from a fresh one.
    const sandbox = await startSandbox({ size });
    try {
      for (const topic of topics) {
        const [, api, resource] = topic.slice(prefix.length).split('.') as [
          string,
          'billing' | 'analytics',
          string,
        ];
        const truth = (await groundTruth(sandbox, api, resource)).map((r) => r.id).sort();
        const decoded = report[topic];
        expect(decoded?.messages, topic).toBe(size);
        expect(decoded?.tombstones, topic).toBe(0);
        expect(decoded?.value_schema_ids.length, topic).toBe(1);
        expect(
          Object.values(decoded?.compacted ?? {})
            .map((v) => v.id)
            .sort(),
          topic,
        ).toEqual(truth);
      }
    } finally {
      await sandbox.close();
    }
  }, 300_000);
});

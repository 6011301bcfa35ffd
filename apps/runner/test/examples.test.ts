import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redaction } from '@siphon/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPipelinesFile, parsePipelinesText } from '../src/config/load.js';
import { createLogger } from '../src/logging/logger.js';
import { PipelineRunner } from '../src/pipeline/pipeline-runner.js';
import { repoRoot } from './helpers/runner.js';

// Every variable is set, except the ones a file gives a default for (`${NAME:-default}`), so the
// defaults are what is checked.
const UNSET_WITH_DEFAULT = new Set(['SIPHON_KAFKA_CLIENT']);
const env = new Proxy({} as Record<string, string | undefined>, {
  get: (_t, name) =>
    UNSET_WITH_DEFAULT.has(String(name))
      ? undefined
      : name === 'KAFKA_BROKERS'
        ? 'k1:9092,k2:9092'
        : String(name).includes('URL')
          ? 'https://example.test'
          : 'value-of-env',
});

/** Builds every pipeline's source (no network): proves the file, the source options and the overrides are accepted. */
async function prepareAll(
  file: string,
  pipelines: Awaited<ReturnType<typeof loadPipelinesFile>>['pipelines'],
) {
  const names: string[] = [];
  const detection: string[] = [];
  for (const pipeline of pipelines) {
    const runner = new PipelineRunner(pipeline, {
      logger: createLogger({ level: 'silent', secrets: new Redaction() }),
      secrets: new Redaction(),
      baseDir: path.dirname(file),
      stateKey: undefined,
    });
    await runner.prepare();
    names.push(`${pipeline.name}:${runner.resourceNames.length}`);
    detection.push(
      ...runner.source.resources.map((r) => `${pipeline.name}.${r.name}:${r.deleteDetection ?? 'none'}`),
    );
    await runner.close();
  }
  return Object.assign(names, { detection });
}

describe('shipped pipelines files', () => {
  it.each(['demo.yaml', 'docker-compose.pipelines.yaml', 'pipelines.example.yaml'])(
    'examples/%s is valid',
    async (name) => {
      const file = path.join(repoRoot, 'examples', name);
      const text = (await readFile(file, 'utf8')).replaceAll('${file:/run/secrets/', '${');
      const loaded = parsePipelinesText(text, file, { env });
      expect(loaded.pipelines.map((p) => p.name)).toEqual(['billing', 'analytics']);
      const expected =
        name === 'pipelines.example.yaml' ? ['billing:3', 'analytics:11'] : ['billing:12', 'analytics:11'];
      const prepared = await prepareAll(file, loaded.pipelines);
      expect([...prepared]).toEqual(expected);
      if (name === 'demo.yaml') {
        // The demo mirrors deletes for both pipelines: the package by default, the seed file by override.
        expect(prepared.detection.filter((d) => !d.endsWith(':snapshot'))).toEqual([]);
      }
    },
  );

  it('the Kubernetes ConfigMap holds a valid pipelines file', async () => {
    const manifest = parse(await readFile(path.join(repoRoot, 'deploy/k8s/configmap.yaml'), 'utf8')) as {
      data: Record<string, string>;
    };
    const dir = await mkdtemp(path.join(tmpdir(), 'siphon-k8s-'));
    for (const secret of [
      'kafka_password',
      'registry_password',
      'billing_client_secret',
      'billing_refresh_token',
      'analytics_api_key',
    ]) {
      await writeFile(path.join(dir, secret), `${secret}-value\n`);
    }
    const file = path.join(dir, 'pipelines.yaml');
    await writeFile(
      file,
      (manifest.data['pipelines.yaml'] ?? '').replaceAll('/etc/siphon/secrets/', `${dir}/`),
    );
    const loaded = await loadPipelinesFile(file, { env });
    expect(loaded.pipelines[0]?.kafka).toMatchObject({ brokers: ['k1:9092', 'k2:9092'], ssl: true });
    expect(loaded.pipelines[0]?.kafka.sasl?.password).toBe('kafka_password-value');
    expect(loaded.secretValues.has('billing_refresh_token-value')).toBe(true);
    expect([...(await prepareAll(file, loaded.pipelines))]).toEqual(['billing:12', 'analytics:11']);
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfigText, SecretRef } from '@siphon/core';
import {
  asJson,
  differences,
  readSeedDict,
  seedDocumentBlock,
  seedDocumentFile,
  withoutSiphonExtensions,
} from '@siphon/testkit';
import { describe, expect, it } from 'vitest';
import { ANALYTICS_SEED_FILE, analyticsSeedConfig, analyticsSource } from '../src/index.js';

const seedFile = fileURLToPath(ANALYTICS_SEED_FILE);

describe('analyticsSeedConfig', () => {
  it('is the seed block key by key, value by value, in the same order', () => {
    expect(differences(asJson(analyticsSeedConfig), readSeedDict(seedFile))).toEqual([]);
  });

  it("is read from the seed document's Python block, shipped byte for byte in the package", () => {
    expect(readFileSync(seedFile, 'utf8')).toBe(seedDocumentBlock('analytics'));
  });

  it("equals what core's dlt-Python reader makes of the seed document, secret references included", () => {
    const parsed = parseConfigText(readFileSync(seedDocumentFile('analytics'), 'utf8'), {
      source: 'analytics-source.md',
    });
    expect(parsed.value).toEqual(analyticsSeedConfig);
    expect(differences(asJson(parsed.value), asJson(analyticsSeedConfig))).toEqual([]);
  });

  it('holds the API key as a secret reference', () => {
    const auth = analyticsSeedConfig.client.auth as Record<string, unknown>;
    expect(auth.token).toBeInstanceOf(SecretRef);
    expect((auth.token as SecretRef).name).toBe('api_key');
  });

  it('reads usage_periods for customer_usage_past, as the seed does', () => {
    const past = (
      analyticsSeedConfig.resources as { name: string; endpoint: { data_selector: string } }[]
    ).find((r) => r.name === 'customer_usage_past');
    expect(past?.endpoint.data_selector).toBe('usage_periods');
  });

  it('the comparison notices a changed value', () => {
    const seed = readSeedDict(seedFile) as {
      resources: { endpoint: { paginator: Record<string, unknown> } }[];
    };
    const changed = structuredClone(seed);
    (changed.resources[0] as { endpoint: { paginator: Record<string, unknown> } }).endpoint.paginator.limit =
      50;
    expect(differences(changed, seed)).toEqual(['$.resources[0].endpoint.paginator.limit: 50, expected 100']);
  });
});

describe('analyticsSource() with the seed URL', () => {
  it('is the seed plus declared schemas and delete detection', () => {
    const config = analyticsSource({ baseUrl: 'https://api.example.com' });
    expect(differences(withoutSiphonExtensions(config), readSeedDict(seedFile))).toEqual([]);
    for (const resource of config.resources as { schema?: unknown; delete_detection?: unknown }[]) {
      expect(resource.schema).toBeDefined();
      expect(resource.delete_detection).toBe('snapshot');
    }
  });
});

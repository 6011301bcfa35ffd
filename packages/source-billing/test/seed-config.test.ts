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
import { BILLING_SEED_FILE, billingSeedConfig, billingSource } from '../src/index.js';

const seedFile = fileURLToPath(BILLING_SEED_FILE);

describe('billingSeedConfig', () => {
  it('is the seed block key by key, value by value, in the same order', () => {
    expect(differences(asJson(billingSeedConfig), readSeedDict(seedFile))).toEqual([]);
  });

  it("is read from the seed document's Python block, shipped byte for byte in the package", () => {
    expect(readFileSync(seedFile, 'utf8')).toBe(seedDocumentBlock('billing'));
  });

  it("equals what core's dlt-Python reader makes of the seed document, secret references included", () => {
    const parsed = parseConfigText(readFileSync(seedDocumentFile('billing'), 'utf8'), {
      source: 'billing-source.md',
    });
    expect(parsed.value).toEqual(billingSeedConfig);
    expect(differences(asJson(parsed.value), asJson(billingSeedConfig))).toEqual([]);
  });

  it('holds the OAuth2 secrets as secret references, not strings', () => {
    const auth = billingSeedConfig.client.auth as Record<string, unknown>;
    for (const key of ['client_id', 'client_secret', 'refresh_token']) {
      expect(auth[key]).toBeInstanceOf(SecretRef);
      expect((auth[key] as SecretRef).name).toBe(key);
    }
  });

  it('the comparison notices a changed value, a missing key and a reordered key', () => {
    const seed = readSeedDict(seedFile) as { resources: { endpoint: Record<string, unknown> }[] };
    const changed = structuredClone(seed);
    (changed.resources[5] as { endpoint: Record<string, unknown> }).endpoint.path = '/quotes';
    expect(differences(changed, seed)).toEqual([
      '$.resources[5].endpoint.path: "/quotes", expected "/estimates"',
    ]);
    const reordered = structuredClone(seed) as unknown as Record<string, unknown>;
    const { client, ...rest } = reordered;
    expect(differences({ ...rest, client }, seed)[0]).toMatch(
      /^\$: keys \[resource_defaults, resources, client\]/,
    );
  });
});

describe('billingSource() with the seed URLs', () => {
  it('is the seed plus declared schemas and delete detection', () => {
    const config = billingSource({
      baseUrl: 'https://api.example.com',
      tokenUrl: 'https://accounts.example.com/oauth/v2/token',
    });
    expect(differences(withoutSiphonExtensions(config), readSeedDict(seedFile))).toEqual([]);
    for (const resource of config.resources as { schema?: unknown; delete_detection?: unknown }[]) {
      expect(resource.schema).toBeDefined();
      expect(resource.delete_detection).toBe('snapshot');
    }
  });
});

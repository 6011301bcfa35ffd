import { fileURLToPath } from 'node:url';
import { SecretRef } from '@siphon/core';
import { differences, packagedSeedProblems, readSeedDict, seedSourceProblems } from '@siphon/testkit';
import { describe, expect, it } from 'vitest';
import { BILLING_SEED_FILE, billingSeedConfig, billingSource } from '../src/index.js';

const seedFile = fileURLToPath(BILLING_SEED_FILE);

describe('billingSeedConfig', () => {
  it("is the seed verbatim: the shipped file is the seed document's block, read the same apart from core and by core", () => {
    expect(packagedSeedProblems('billing', BILLING_SEED_FILE, billingSeedConfig)).toEqual([]);
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
    expect(
      seedSourceProblems(
        BILLING_SEED_FILE,
        billingSource({
          baseUrl: 'https://api.example.com',
          tokenUrl: 'https://accounts.example.com/oauth/v2/token',
        }),
      ),
    ).toEqual([]);
  });
});

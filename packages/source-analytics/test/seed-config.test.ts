import { fileURLToPath } from 'node:url';
import { SecretRef } from '@siphon/core';
import { differences, packagedSeedProblems, readSeedDict, seedSourceProblems } from '@siphon/testkit';
import { describe, expect, it } from 'vitest';
import { ANALYTICS_SEED_FILE, analyticsSeedConfig, analyticsSource } from '../src/index.js';

const seedFile = fileURLToPath(ANALYTICS_SEED_FILE);

describe('analyticsSeedConfig', () => {
  it("is the seed verbatim: the shipped file is the seed document's block, read the same apart from core and by core", () => {
    expect(packagedSeedProblems('analytics', ANALYTICS_SEED_FILE, analyticsSeedConfig)).toEqual([]);
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
    expect(
      seedSourceProblems(ANALYTICS_SEED_FILE, analyticsSource({ baseUrl: 'https://api.example.com' })),
    ).toEqual([]);
  });
});

/**
 * The analytics seed config, verbatim: `seed/analytics-source.py` is the seed's Python block as
 * written, read here by core's dlt-Python reader (`dlt.secrets[...]` become secret references).
 * `analyticsSource()` builds on it; this constant stays the untouched original.
 */
import { type RestApiConfig, readSeedConfig } from '@siphon/core';

export const ANALYTICS_SEED_FILE: URL = new URL('../seed/analytics-source.py', import.meta.url);

export const analyticsSeedConfig: RestApiConfig = readSeedConfig(ANALYTICS_SEED_FILE);

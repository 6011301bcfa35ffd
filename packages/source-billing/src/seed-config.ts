/**
 * The billing seed config, verbatim: `seed/billing-source.py` is the seed's Python block as
 * written, read here by core's dlt-Python reader (`dlt.secrets[...]` become secret references).
 * `billingSource()` builds on it; this constant stays the untouched original.
 */
import { type RestApiConfig, readSeedConfig } from '@siphon/core';

export const BILLING_SEED_FILE: URL = new URL('../seed/billing-source.py', import.meta.url);

export const billingSeedConfig: RestApiConfig = readSeedConfig(BILLING_SEED_FILE);

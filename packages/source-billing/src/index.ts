export type {
  SecretInput,
  SourcePreset as BillingPreset,
  SourceResourceOverride as BillingResourceOverride,
} from '@siphon/core';
export { BILLING_MAX_PAGE_SIZE, type BillingSourceOptions } from './options.js';
export {
  BILLING_NAMESPACE,
  BILLING_RESOURCE_NAMES,
  type BillingResource,
  type BillingResourceName,
  billingResources,
  billingSchemaFor,
  billingSchemas,
} from './resources.js';
export { BILLING_SEED_FILE, billingSeedConfig } from './seed-config.js';
export { billingAuthFactories, billingPlugin, billingSource, parseBillingOptions } from './source.js';

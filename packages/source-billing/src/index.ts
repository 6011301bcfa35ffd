export {
  BILLING_MAX_PAGE_SIZE,
  type BillingPreset,
  type BillingResourceOverride,
  type BillingSourceOptions,
  parseBillingOptions,
  type SecretInput,
} from './options.js';
export {
  BILLING_NAMESPACE,
  BILLING_RESOURCE_NAMES,
  type BillingResource,
  type BillingResourceName,
  billingResources,
  billingSchemaFor,
  billingSchemas,
} from './resources.js';
export { billingSeedConfig } from './seed-config.js';
export { billingAuthFactories, billingSource } from './source.js';

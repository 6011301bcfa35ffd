export type {
  SecretInput,
  SourcePreset as AnalyticsPreset,
  SourceResourceOverride as AnalyticsResourceOverride,
} from '@siphon/core';
export { ANALYTICS_MAX_PAGE_SIZE, type AnalyticsSourceOptions } from './options.js';
export {
  ANALYTICS_NAMESPACE,
  ANALYTICS_REAL_ID_FIELD,
  ANALYTICS_RESOURCE_NAMES,
  type AnalyticsResource,
  type AnalyticsResourceName,
  analyticsResources,
  analyticsSchemaFor,
  analyticsSchemas,
} from './resources.js';
export { ANALYTICS_SEED_FILE, analyticsSeedConfig } from './seed-config.js';
export { analyticsPlugin, analyticsSource, parseAnalyticsOptions } from './source.js';

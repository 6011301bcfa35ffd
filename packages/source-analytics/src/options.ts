/**
 * The options of `analyticsSource()`: core's shared source options (`baseUrl`, `resources`,
 * `pageSize`, presets, overrides, ...) plus the analytics API's key.
 */
import {
  type PackagedSourceOptions,
  type SecretInput,
  type SourcePreset,
  sourceOptionSchemas,
} from '@siphon/core';
import { ANALYTICS_RESOURCE_NAMES, type AnalyticsResourceName } from './resources.js';

export interface AnalyticsSourceOptions extends PackagedSourceOptions<AnalyticsResourceName> {
  /** API root, e.g. `https://api.getlago.com/api`; the seed's `/v1/...` paths are relative to it. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Default: `dlt.secrets["api_key"]`, as in the seed. */
  apiKey?: SecretInput;
  /** Records per page (`per_page`), 1..1000. Default 100, the seed's value and the API's default. */
  pageSize?: number;
  /** `seed`: key every record by `id`; `real_api`: by `lago_id`. Default `seed`. */
  preset?: SourcePreset;
}

/**
 * Not a documented limit of the API: a guard so one response (held in memory while parsed)
 * stays small. The API's own default is 100.
 */
export const ANALYTICS_MAX_PAGE_SIZE = 1000;

/** What core's shared options parser needs to know of the analytics options. */
export const analyticsOptionsSpec = {
  label: 'analyticsSource() options',
  resourceNames: ANALYTICS_RESOURCE_NAMES,
  maxPageSize: ANALYTICS_MAX_PAGE_SIZE,
  authOptions: { apiKey: sourceOptionSchemas.secretInput.optional() },
  authorizationHeader: 'Authorization carries the API key; set apiKey instead',
};

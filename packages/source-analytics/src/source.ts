/**
 * `analyticsSource(options)`: the analytics seed's config, parameterised. With only `baseUrl` it
 * is the seed (same resources, paths, selectors, cursor paging and bearer API key) plus Siphon's
 * extensions: a declared Avro schema and delete detection on every resource.
 */
import { dlt, type ResourceConfig, type RestApiConfig } from '@siphon/core';
import { type AnalyticsSourceOptions, dispositionOf, parseAnalyticsOptions } from './options.js';
import {
  ANALYTICS_REAL_ID_FIELD,
  ANALYTICS_RESOURCE_NAMES,
  analyticsResource,
  analyticsSchemaFor,
} from './resources.js';

export function analyticsSource(options: AnalyticsSourceOptions): RestApiConfig {
  const o = parseAnalyticsOptions(options);
  const preset = o.preset ?? 'seed';
  const selected = o.resources ?? [...ANALYTICS_RESOURCE_NAMES];
  const pageSize = o.pageSize ?? 100;
  const defaultDetection = o.deleteDetection ?? 'snapshot';

  const resources = ANALYTICS_RESOURCE_NAMES.filter((name) => selected.includes(name)).map(
    (name): ResourceConfig => {
      const resource = analyticsResource(name);
      const override = o.overrides?.[name] ?? {};
      const primaryKey = override.primaryKey ?? (preset === 'real_api' ? ANALYTICS_REAL_ID_FIELD : 'id');
      const keyFields = Array.isArray(primaryKey) ? primaryKey : [primaryKey];
      const appends = dispositionOf(override.writeDisposition) === 'append';
      const config: ResourceConfig = {
        name,
        endpoint: {
          path: override.path ?? resource.path,
          data_selector: override.dataSelector ?? resource.dataSelector,
          paginator: override.paginator ?? {
            type: 'cursor',
            limit: pageSize,
            cursor_param: 'page',
            cursor_path: 'response.meta.next_page',
          },
        },
        delete_detection: override.deleteDetection ?? (appends ? 'none' : defaultDetection),
        schema: analyticsSchemaFor(name, keyFields),
      };
      if (preset === 'real_api' || override.primaryKey !== undefined) config.primary_key = primaryKey;
      if (override.writeDisposition !== undefined) config.write_disposition = override.writeDisposition;
      const contract = override.schemaContract ?? o.schemaContract;
      if (contract !== undefined) config.schema_contract = contract;
      return config;
    },
  );

  const client: RestApiConfig['client'] = {
    base_url: o.baseUrl,
    auth: { type: 'bearer', token: o.apiKey ?? dlt.secrets.api_key },
  };
  if (o.headers !== undefined) client.headers = { ...o.headers };

  return {
    client,
    resource_defaults:
      preset === 'seed' ? { primary_key: 'id', write_disposition: 'merge' } : { write_disposition: 'merge' },
    resources,
  };
}

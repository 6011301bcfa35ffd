/**
 * `analyticsSource(options)`: the analytics seed's config, parameterised. With only `baseUrl` it
 * is the seed (same resources, paths, selectors, cursor paging and bearer API key) plus Siphon's
 * extensions: a declared Avro schema and delete detection on every resource.
 */
import { defineRestApiSource, dlt } from '@siphon/core';
import { type AnalyticsSourceOptions, analyticsOptionsSpec } from './options.js';
import {
  ANALYTICS_REAL_ID_FIELD,
  type AnalyticsResourceName,
  analyticsResource,
  analyticsSchemaFor,
} from './resources.js';

/** The analytics source as a plugin: register it by name (the runner does), or call `build`. */
export const analyticsPlugin = defineRestApiSource({
  name: 'analytics',
  ...analyticsOptionsSpec,
  resource: (name: AnalyticsResourceName) => ({
    ...analyticsResource(name),
    realIdField: ANALYTICS_REAL_ID_FIELD,
  }),
  schemaFor: analyticsSchemaFor,
  defaultPageSize: 100,
  paginator: (pageSize) => ({
    type: 'cursor',
    limit: pageSize,
    cursor_param: 'page',
    cursor_path: 'response.meta.next_page',
  }),
  auth: (o: AnalyticsSourceOptions) => ({ type: 'bearer', token: o.apiKey ?? dlt.secrets.api_key }),
});

export const analyticsSource: (options: AnalyticsSourceOptions) => ReturnType<typeof analyticsPlugin.build> =
  analyticsPlugin.build;

/** Validates options or throws a `ConfigError` listing every problem. */
export const parseAnalyticsOptions: (input: unknown) => AnalyticsSourceOptions = analyticsPlugin.parseOptions;

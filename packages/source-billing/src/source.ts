/**
 * `billingSource(options)`: the billing seed's config, parameterised. With only `baseUrl` and
 * `tokenUrl` it is the seed (same resources, paths, selectors, paging and OAuth2 secrets) plus
 * Siphon's extensions: a declared Avro schema and delete detection on every resource.
 */

import { oauth2Auth } from '@siphon/auth-oauth2';
import { type AuthFactory, dlt, type ResourceConfig, type RestApiConfig } from '@siphon/core';
import { type BillingSourceOptions, dispositionOf, parseBillingOptions } from './options.js';
import { BILLING_RESOURCE_NAMES, billingResource, billingSchemaFor } from './resources.js';

/** Auth factories a billing config needs: pass them to core's `restApiSource`. */
export const billingAuthFactories: Readonly<Record<string, AuthFactory>> = Object.freeze({
  oauth2: oauth2Auth,
});

export function billingSource(options: BillingSourceOptions): RestApiConfig {
  const o = parseBillingOptions(options);
  const preset = o.preset ?? 'seed';
  const selected = o.resources ?? [...BILLING_RESOURCE_NAMES];
  const pageSize = o.pageSize ?? 200;
  const defaultDetection = o.deleteDetection ?? 'snapshot';

  const auth: Record<string, unknown> = {
    type: 'oauth2',
    client_id: o.clientId ?? dlt.secrets.client_id,
    client_secret: o.clientSecret ?? dlt.secrets.client_secret,
    refresh_token: o.refreshToken ?? dlt.secrets.refresh_token,
    token_url: o.tokenUrl,
  };
  if (o.headerScheme !== undefined) auth.header_scheme = o.headerScheme;
  if (o.allowInsecureHttp) auth.allow_insecure_http = true;

  const resources = BILLING_RESOURCE_NAMES.filter((name) => selected.includes(name)).map(
    (name): ResourceConfig => {
      const resource = billingResource(name);
      const override = o.overrides?.[name] ?? {};
      const primaryKey = override.primaryKey ?? (preset === 'real_api' ? resource.realIdField : 'id');
      const keyFields = Array.isArray(primaryKey) ? primaryKey : [primaryKey];
      const appends = dispositionOf(override.writeDisposition) === 'append';
      const config: ResourceConfig = {
        name,
        endpoint: {
          path: override.path ?? resource.path,
          data_selector: override.dataSelector ?? resource.dataSelector,
          paginator: override.paginator ?? {
            type: 'page_number',
            page_param: 'page',
            limit_param: 'per_page',
            limit: pageSize,
          },
        },
        delete_detection: override.deleteDetection ?? (appends ? 'none' : defaultDetection),
        schema: billingSchemaFor(name, keyFields),
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
    auth: auth as RestApiConfig['client']['auth'],
  };
  if (o.headers !== undefined) client.headers = { ...o.headers };

  return {
    client,
    resource_defaults:
      preset === 'seed' ? { primary_key: 'id', write_disposition: 'merge' } : { write_disposition: 'merge' },
    resources,
  };
}

/**
 * `billingSource(options)`: the billing seed's config, parameterised. With only `baseUrl` and
 * `tokenUrl` it is the seed (same resources, paths, selectors, paging and OAuth2 secrets) plus
 * Siphon's extensions: a declared Avro schema and delete detection on every resource.
 */

import { oauth2Auth } from '@siphon/auth-oauth2';
import { type AuthFactory, defineRestApiSource, dlt } from '@siphon/core';
import { BILLING_MAX_PAGE_SIZE, type BillingSourceOptions, billingOptionsSpec } from './options.js';
import { billingResource, billingSchemaFor } from './resources.js';

/** Auth factories a billing config needs: pass them to core's `restApiSource`. */
export const billingAuthFactories: Readonly<Record<string, AuthFactory>> = Object.freeze({
  oauth2: oauth2Auth,
});

/** The billing source as a plugin: register it by name (the runner does), or call `build`. */
export const billingPlugin = defineRestApiSource({
  name: 'billing',
  ...billingOptionsSpec,
  resource: billingResource,
  schemaFor: billingSchemaFor,
  defaultPageSize: BILLING_MAX_PAGE_SIZE,
  paginator: (pageSize) => ({
    type: 'page_number',
    page_param: 'page',
    limit_param: 'per_page',
    limit: pageSize,
  }),
  auth: (o: BillingSourceOptions) => ({
    type: 'oauth2',
    client_id: o.clientId ?? dlt.secrets.client_id,
    client_secret: o.clientSecret ?? dlt.secrets.client_secret,
    refresh_token: o.refreshToken ?? dlt.secrets.refresh_token,
    token_url: o.tokenUrl,
    ...(o.headerScheme === undefined ? {} : { header_scheme: o.headerScheme }),
    ...(o.allowInsecureHttp ? { allow_insecure_http: true } : {}),
  }),
});

export const billingSource: (options: BillingSourceOptions) => ReturnType<typeof billingPlugin.build> =
  billingPlugin.build;

/** Validates options or throws a `ConfigError` listing every problem. */
export const parseBillingOptions: (input: unknown) => BillingSourceOptions = billingPlugin.parseOptions;

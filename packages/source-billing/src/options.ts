/**
 * The options of `billingSource()`: core's shared source options (`baseUrl`, `resources`,
 * `pageSize`, presets, overrides, ...) plus the billing API's OAuth2 credentials.
 */
import { oauth2Auth } from '@siphon/auth-oauth2';
import { type PackagedSourceOptions, type SecretInput, sourceOptionSchemas } from '@siphon/core';
import { z } from 'zod';
import { BILLING_RESOURCE_NAMES, type BillingResourceName } from './resources.js';

export interface BillingSourceOptions extends PackagedSourceOptions<BillingResourceName> {
  /** API root, e.g. `https://www.zohoapis.com/billing/v1`; the seed's paths are relative to it. */
  baseUrl: string;
  /** OAuth2 token endpoint, e.g. `https://accounts.zoho.com/oauth/v2/token`. */
  tokenUrl: string;
  /** Default: `dlt.secrets["client_id"]`, as in the seed. */
  clientId?: SecretInput;
  /** Default: `dlt.secrets["client_secret"]`. */
  clientSecret?: SecretInput;
  /** Default: `dlt.secrets["refresh_token"]`. */
  refreshToken?: SecretInput | undefined;
  /** Word before the token in `Authorization`; the real API also accepts `Zoho-oauthtoken`. Default `Bearer`. */
  headerScheme?: string;
  /** Records per page, 1..200 (the API's maximum, and the seed's value). Default 200. */
  pageSize?: number;
  /** Allow a plain-http token URL on a loopback host (a local emulator). Never needed in production. */
  allowInsecureHttp?: boolean;
}

export const BILLING_MAX_PAGE_SIZE = 200;

const { secretInput } = sourceOptionSchemas;

/** What core's shared options parser needs to know of the billing options. */
export const billingOptionsSpec = {
  label: 'billingSource() options',
  resourceNames: BILLING_RESOURCE_NAMES,
  maxPageSize: BILLING_MAX_PAGE_SIZE,
  maxPageSizeReason: `the billing API returns at most ${BILLING_MAX_PAGE_SIZE} records per page`,
  // Their types only: the oauth2 schema checks the auth block they make (URL, header scheme, ...).
  authOptions: {
    tokenUrl: z.string(),
    clientId: secretInput.optional(),
    clientSecret: secretInput.optional(),
    refreshToken: secretInput.optional(),
    headerScheme: z.string().optional(),
  },
  extraOptions: { allowInsecureHttp: z.boolean().optional() },
  authorizationHeader: 'Authorization is set by the OAuth2 auth; do not pass it as a header',
  authCheck: {
    plugin: oauth2Auth,
    optionNames: {
      token_url: 'tokenUrl',
      client_id: 'clientId',
      client_secret: 'clientSecret',
      refresh_token: 'refreshToken',
      header_scheme: 'headerScheme',
      allow_insecure_http: 'allowInsecureHttp',
    },
  },
};

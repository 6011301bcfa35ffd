/**
 * The options of `billingSource()`, validated once with zod. Every problem is reported together,
 * by option path, with what was expected; values of secret options are never echoed.
 */
import {
  ConfigError,
  type PaginatorSetting,
  type SchemaContractMode,
  SecretRef,
  type WriteDispositionConfig,
} from '@siphon/core';
import { z } from 'zod';
import { BILLING_RESOURCE_NAMES, type BillingResourceName } from './resources.js';

/** A literal value, or a reference resolved by the pipeline's secrets provider (`dlt.secrets["key"]`). */
export type SecretInput = string | SecretRef;

export type BillingPreset = 'seed' | 'real_api';

export interface BillingResourceOverride {
  /** Field(s) identifying a record: the Kafka message key. */
  primaryKey?: string | string[];
  writeDisposition?: WriteDispositionConfig;
  /** Any core paginator setting; replaces the seed's page_number paginator for this resource. */
  paginator?: PaginatorSetting;
  deleteDetection?: 'snapshot' | 'none';
  schemaContract?: SchemaContractMode;
  /** Endpoint path relative to `baseUrl`. */
  path?: string;
  /** Envelope key holding the records. */
  dataSelector?: string;
}

export interface BillingSourceOptions {
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
  /** Extra headers on every API request, e.g. `{ 'X-com-zoho-subscriptions-organizationid': '...' }`. */
  headers?: Record<string, SecretInput>;
  /** Resources to read, in any order. Default: all twelve. */
  resources?: BillingResourceName[];
  /** Records per page, 1..200 (the API's maximum, and the seed's value). Default 200. */
  pageSize?: number;
  /** `seed`: key every record by `id`; `real_api`: by the real API's own id field. Default `seed`. */
  preset?: BillingPreset;
  /** Default for every resource; `snapshot` unless overridden (see README). */
  deleteDetection?: 'snapshot' | 'none';
  /**
   * What the sink does with records that stop matching the declared schema (a new field, a new
   * type). Default: the sink's own default (`evolve`).
   */
  schemaContract?: SchemaContractMode;
  overrides?: Partial<Record<BillingResourceName, BillingResourceOverride>>;
  /** Allow a plain-http token URL on a loopback host (a local emulator). Never needed in production. */
  allowInsecureHttp?: boolean;
}

export const BILLING_MAX_PAGE_SIZE = 200;

const names = BILLING_RESOURCE_NAMES.join(', ');
const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const secretInput = z.custom<SecretInput>(
  (value) => (typeof value === 'string' && value.length > 0) || value instanceof SecretRef,
  { error: 'expected a non-empty string or a secret reference such as dlt.secrets["key"]' },
);

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: 'expected an absolute http(s) URL',
  });

const resourceName = z
  .string()
  .refine((value) => (BILLING_RESOURCE_NAMES as readonly string[]).includes(value), {
    error: (issue) => `unknown resource ${JSON.stringify(issue.input)}; expected one of: ${names}`,
  });

const primaryKey = z.custom<string | string[]>(
  (value) =>
    (typeof value === 'string' && value.length > 0) ||
    (Array.isArray(value) && value.length > 0 && value.every((k) => typeof k === 'string' && k.length > 0)),
  { error: 'expected a field name or a non-empty list of field names' },
);

const deleteDetection = z.enum(['snapshot', 'none'], { error: 'expected "snapshot" or "none"' });

const schemaContract = z.enum(['evolve', 'freeze', 'discard_row', 'discard_value'], {
  error: 'expected "evolve", "freeze", "discard_row" or "discard_value"',
});

const overrideShape = {
  primaryKey: primaryKey.optional(),
  writeDisposition: z.custom<WriteDispositionConfig>().optional(),
  paginator: z.custom<PaginatorSetting>().optional(),
  deleteDetection: deleteDetection.optional(),
  schemaContract: schemaContract.optional(),
  path: z.string().min(1, { error: 'expected a non-empty path' }).optional(),
  dataSelector: z.string().min(1, { error: 'expected a non-empty data selector' }).optional(),
};

const override = z.strictObject(overrideShape, { error: unknownKeys(Object.keys(overrideShape)) });

const optionsShape = {
  baseUrl: httpUrl,
  tokenUrl: httpUrl,
  clientId: secretInput.optional(),
  clientSecret: secretInput.optional(),
  refreshToken: secretInput.optional(),
  headerScheme: z
    .string()
    .regex(HTTP_TOKEN, { error: 'expected one word such as Bearer or Zoho-oauthtoken' })
    .optional(),
  headers: z
    .record(
      z
        .string()
        .regex(HTTP_TOKEN, { error: 'expected a valid HTTP header name' })
        .refine((name) => name.toLowerCase() !== 'authorization', {
          error: 'Authorization is set by the OAuth2 auth; do not pass it as a header',
        }),
      secretInput,
    )
    .optional(),
  resources: z
    .array(resourceName)
    .min(1, { error: `select at least one resource (${names})` })
    .refine((list) => new Set(list).size === list.length, { error: 'lists a resource twice' })
    .optional(),
  pageSize: z
    .number({ error: 'expected a number' })
    .int({ error: 'expected a whole number' })
    .min(1, { error: `expected 1..${BILLING_MAX_PAGE_SIZE}` })
    .max(BILLING_MAX_PAGE_SIZE, {
      error: `expected 1..${BILLING_MAX_PAGE_SIZE}: the billing API returns at most ${BILLING_MAX_PAGE_SIZE} records per page`,
    })
    .optional(),
  preset: z.enum(['seed', 'real_api'], { error: 'expected "seed" or "real_api"' }).optional(),
  deleteDetection: deleteDetection.optional(),
  schemaContract: schemaContract.optional(),
  overrides: z.record(resourceName, override).optional(),
  allowInsecureHttp: z.boolean().optional(),
};

const optionsSchema = z
  .strictObject(optionsShape, { error: unknownKeys(Object.keys(optionsShape)) })
  .superRefine((options, ctx) => {
    const selected = new Set<string>(options.resources ?? BILLING_RESOURCE_NAMES);
    for (const [name, value] of Object.entries(options.overrides ?? {})) {
      if (!selected.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['overrides', name],
          message: `overrides a resource that is not selected (selected: ${[...selected].join(', ')})`,
        });
      }
      const disposition = dispositionOf(value?.writeDisposition);
      if (disposition === 'append' && value?.deleteDetection === 'snapshot') {
        ctx.addIssue({
          code: 'custom',
          path: ['overrides', name, 'deleteDetection'],
          message: 'snapshot delete detection needs a keyed resource ("merge" or "replace"), not "append"',
        });
      }
    }
  });

function unknownKeys(allowed: readonly string[]) {
  return (issue: { code: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown option${(issue.keys?.length ?? 0) > 1 ? 's' : ''} ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`
      : undefined;
}

export function dispositionOf(value: WriteDispositionConfig | undefined): string | undefined {
  return typeof value === 'object' && value !== null ? value.disposition : value;
}

/** Validates options or throws a `ConfigError` listing every problem. */
export function parseBillingOptions(input: unknown): BillingSourceOptions {
  const result = optionsSchema.safeParse(input);
  if (result.success) return result.data as BillingSourceOptions;
  const issues = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.') || '(options)';
    // A rejected record key (resource name, header name) carries the reason in nested issues.
    const messages =
      issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message) : [issue.message];
    return messages.map((message) => ({ path, message }));
  });
  throw new ConfigError(issues, { source: 'billingSource() options' });
}

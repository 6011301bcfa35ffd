/**
 * The options every packaged `rest_api` source shares (`baseUrl`, `headers`, `resources`,
 * `pageSize`, `preset`, delete detection, schema contract, per-resource `overrides`), validated
 * once with zod. Every problem is reported together, by option path, with what was expected;
 * values of secret options are never echoed.
 */
import { z } from 'zod';
import { authBlockIssues } from '../config/auth-block.js';
import { issueMessage } from '../config/issues.js';
import type { AuthConfig, PaginatorSetting, WriteDispositionConfig } from '../config/types.js';
import type { AuthPlugin, SchemaContractMode } from '../contracts.js';
import { ConfigError } from '../errors/config-error.js';
import { SecretRef } from '../secrets/secret.js';
import { DELETE_DETECTIONS, expectedOneOf, SCHEMA_CONTRACT_MODES } from '../vocabulary.js';

/** A literal value, or a reference resolved by the pipeline's secrets provider (`dlt.secrets["key"]`). */
export type SecretInput = string | SecretRef;

/** `seed`: key every record by `id`; `real_api`: by the real API's own id field. */
export type SourcePreset = 'seed' | 'real_api';

export interface SourceResourceOverride {
  /** Field(s) identifying a record: the Kafka message key. */
  primaryKey?: string | string[];
  writeDisposition?: WriteDispositionConfig;
  /** Any core paginator setting; replaces the seed's paginator for this resource. */
  paginator?: PaginatorSetting;
  deleteDetection?: (typeof DELETE_DETECTIONS)[number];
  schemaContract?: SchemaContractMode;
  /** Endpoint path relative to `baseUrl`. */
  path?: string;
  /** Envelope key holding the records. */
  dataSelector?: string;
  /** Requests kept in flight ahead of the page being read (core's `pages_ahead`, 0–16). */
  pagesAhead?: number;
}

/** The options of a packaged source that do not depend on its API's auth. */
export interface PackagedSourceOptions<Name extends string> {
  /** API root; the seed's paths are relative to it. */
  baseUrl: string;
  /** Extra headers on every API request. */
  headers?: Record<string, SecretInput>;
  /** Resources to read, in any order. Default: all of them. */
  resources?: Name[];
  /** Records per page. Default: the seed's value. */
  pageSize?: number;
  /** `seed`: key every record by `id`; `real_api`: by the real API's own id field. Default `seed`. */
  preset?: SourcePreset;
  /** Default for every resource; `snapshot` unless overridden. */
  deleteDetection?: (typeof DELETE_DETECTIONS)[number];
  /**
   * What the sink does with records that stop matching the declared schema (a new field, a new
   * type). Default: the sink's own default (`evolve`).
   */
  schemaContract?: SchemaContractMode;
  overrides?: Partial<Record<Name, SourceResourceOverride>>;
}

/** What a source package tells the shared options parser. */
export interface SourceOptionsSpec<Name extends string> {
  /** Where the options are given, for messages: `billingSource() options`. */
  label: string;
  resourceNames: readonly Name[];
  /** Largest `pageSize`, and why (added to the message when given). */
  maxPageSize: number;
  maxPageSizeReason?: string;
  /** The package's own options (its auth), listed after `baseUrl`. */
  authOptions: Record<string, z.ZodType>;
  /** The package's own options listed last. */
  extraOptions?: Record<string, z.ZodType>;
  /** Why an `Authorization` header is refused (it is the auth's). */
  authorizationHeader: string;
  /**
   * The auth plugin whose schema checks the `auth` block the options make (its rules live there,
   * once), and the option each key of that block comes from, to name it in messages.
   */
  authCheck?: { plugin: AuthPlugin; optionNames: Readonly<Record<string, string>> };
}

const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** zod schemas for the options a package adds itself. */
export const sourceOptionSchemas = Object.freeze({
  secretInput: z.custom<SecretInput>(
    (value) => (typeof value === 'string' && value.length > 0) || value instanceof SecretRef,
    { error: 'expected a non-empty string or a secret reference such as dlt.secrets["key"]' },
  ),
  httpUrl: z.string().refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: 'expected an absolute http(s) URL',
  }),
  /** One HTTP token (RFC 9110), such as a header name or an auth scheme. */
  httpToken: (error: string) => z.string().regex(HTTP_TOKEN, { error }),
});

const { secretInput, httpUrl, httpToken } = sourceOptionSchemas;

const primaryKey = z.custom<string | string[]>(
  (value) =>
    (typeof value === 'string' && value.length > 0) ||
    (Array.isArray(value) && value.length > 0 && value.every((k) => typeof k === 'string' && k.length > 0)),
  { error: 'expected a field name or a non-empty list of field names' },
);

const deleteDetection = z.enum(DELETE_DETECTIONS, { error: expectedOneOf(DELETE_DETECTIONS) });

const schemaContract = z.enum(SCHEMA_CONTRACT_MODES, { error: expectedOneOf(SCHEMA_CONTRACT_MODES) });

const overrideShape = {
  primaryKey: primaryKey.optional(),
  writeDisposition: z.custom<WriteDispositionConfig>().optional(),
  paginator: z.custom<PaginatorSetting>().optional(),
  deleteDetection: deleteDetection.optional(),
  schemaContract: schemaContract.optional(),
  path: z.string().min(1, { error: 'expected a non-empty path' }).optional(),
  dataSelector: z.string().min(1, { error: 'expected a non-empty data selector' }).optional(),
  pagesAhead: z
    .number({ error: 'expected a whole number from 0 to 16' })
    .int({ error: 'expected a whole number from 0 to 16' })
    .min(0, { error: 'expected a whole number from 0 to 16' })
    .max(16, { error: 'expected a whole number from 0 to 16' })
    .optional(),
};

const override = z.strictObject(overrideShape, { error: unknownKeys(Object.keys(overrideShape)) });

function unknownKeys(allowed: readonly string[]) {
  return (issue: { code: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown option${(issue.keys?.length ?? 0) > 1 ? 's' : ''} ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`
      : undefined;
}

/** The disposition of a `write_disposition` setting, whether a string or `{ disposition }`. */
export function dispositionOf(value: WriteDispositionConfig | undefined): string | undefined {
  return typeof value === 'object' && value !== null ? value.disposition : value;
}

/** A parser of a package's options: returns them validated, or throws a `ConfigError` listing every problem. */
export function sourceOptionsParser<Name extends string, Options extends PackagedSourceOptions<Name>>(
  spec: SourceOptionsSpec<Name>,
  authBlock?: (options: Options) => AuthConfig,
): (input: unknown) => Options {
  const names = spec.resourceNames.join(', ');
  const max = spec.maxPageSize;
  const resourceName = z
    .string()
    .refine((value) => (spec.resourceNames as readonly string[]).includes(value), {
      error: (issue) => `unknown resource ${JSON.stringify(issue.input)}; expected one of: ${names}`,
    });
  const shape = {
    baseUrl: httpUrl,
    ...spec.authOptions,
    headers: z
      .record(
        httpToken('expected a valid HTTP header name').refine(
          (name) => name.toLowerCase() !== 'authorization',
          { error: spec.authorizationHeader },
        ),
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
      .min(1, { error: `expected 1..${max}` })
      .max(max, {
        error: `expected 1..${max}${spec.maxPageSizeReason ? `: ${spec.maxPageSizeReason}` : ''}`,
      })
      .optional(),
    preset: z.enum(['seed', 'real_api'], { error: 'expected "seed" or "real_api"' }).optional(),
    deleteDetection: deleteDetection.optional(),
    schemaContract: schemaContract.optional(),
    overrides: z.record(resourceName, override).optional(),
    ...spec.extraOptions,
  };
  const schema = z
    .strictObject(shape, { error: unknownKeys(Object.keys(shape)) })
    .superRefine((options, ctx) => {
      // Runs once every option has its type: the block is built as `build` builds it.
      if (spec.authCheck && authBlock) {
        for (const { option, message } of authOptionIssues(spec.authCheck, authBlock(options as Options))) {
          ctx.addIssue({ code: 'custom', path: option === undefined ? [] : [option], message });
        }
      }
      const selected = new Set<string>((options.resources as string[] | undefined) ?? spec.resourceNames);
      const overrides = (options.overrides ?? {}) as Record<string, SourceResourceOverride | undefined>;
      for (const [name, value] of Object.entries(overrides)) {
        if (!selected.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['overrides', name],
            message: `overrides a resource that is not selected (selected: ${[...selected].join(', ')})`,
          });
        }
        if (dispositionOf(value?.writeDisposition) === 'append' && value?.deleteDetection === 'snapshot') {
          ctx.addIssue({
            code: 'custom',
            path: ['overrides', name, 'deleteDetection'],
            message: 'snapshot delete detection needs a keyed resource ("merge" or "replace"), not "append"',
          });
        }
      }
    });

  return (input) => {
    const result = schema.safeParse(input);
    if (result.success) return result.data as unknown as Options;
    const issues = result.error.issues.flatMap((issue) => {
      const path = issue.path.map(String).join('.') || '(options)';
      // A rejected record key (resource name, header name) carries the reason in nested issues.
      const messages =
        issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message) : [issue.message];
      return messages.map((message) => ({ path, message }));
    });
    throw new ConfigError(issues, { source: spec.label });
  };
}

/**
 * The auth plugin's issues with the block built from the options, each at the option it came
 * from and with the block's key names in its text spelled as those options.
 */
function authOptionIssues(
  check: NonNullable<SourceOptionsSpec<string>['authCheck']>,
  block: AuthConfig,
): Array<{ option: string | undefined; message: string }> {
  const names = check.optionNames;
  const rename = (text: string) => text.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (key) => names[key] ?? key);
  return authBlockIssues(check.plugin, { ...block }).map((issue) => {
    // Read as under `auth`, so no value of the block is echoed.
    const { path, text } = issueMessage({ ...issue, path: ['auth', ...issue.path] }, { auth: block });
    const key = path[1] === undefined ? undefined : String(path[1]);
    const option = key === undefined ? undefined : names[key];
    return {
      option,
      message: rename(option === undefined && key !== undefined ? `auth.${key}: ${text}` : text),
    };
  });
}

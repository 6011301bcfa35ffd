/**
 * The billing API (modelled on Zoho Billing v1): `{"code":0,"message":"success",<key>:[...],
 * "page_context":{...}}`, `page` from 1, `per_page` up to 200, OAuth access tokens sent as
 * `Zoho-oauthtoken <t>` or `Bearer <t>`.
 */
import { BILLING_DEFAULT_PER_PAGE, BILLING_MAX_PER_PAGE } from '../data/catalog.js';
import type { DataStore } from '../data/store.js';
import type { FaultKind } from '../faults.js';
import { jsonListReply, jsonReply, type Reply } from '../http/reply.js';
import type { ApiDefinition, RequestContext } from '../http/server.js';
import type { FixedWindowLimiter } from '../rate-limit.js';
import type { TokenIssuer } from '../tokens.js';

const SHIFT: ReadonlySet<FaultKind> = new Set(['shift_records']);
const REPEAT: ReadonlySet<FaultKind> = new Set(['repeat_cursor']);
const EMPTY: ReadonlySet<FaultKind> = new Set(['empty_page']);

/** The real API's error codes where known (57: bad token, 5: bad URL); the rest are plausible stand-ins. */
const ERROR_CODES: Readonly<Record<number, { code: number; message: string }>> = {
  400: { code: 2, message: 'Invalid value passed' },
  401: { code: 57, message: 'You are not authorized to perform this operation' },
  404: { code: 5, message: 'Invalid URL Passed' },
  405: { code: 37, message: 'The HTTP method is not allowed for the requested resource' },
  429: { code: 45, message: 'You have made too many requests. Please try again after some time.' },
  500: { code: 1, message: 'Internal server error. Please try again after some time.' },
  502: { code: 1, message: 'Bad gateway. Please try again after some time.' },
  503: { code: 1, message: 'Service temporarily unavailable. Please try again after some time.' },
  504: { code: 1, message: 'Gateway timeout. Please try again after some time.' },
};

export function billingError(status: number, message?: string): Reply {
  const known = ERROR_CODES[status] ?? { code: 1, message: 'Request failed' };
  return jsonReply(status, { code: known.code, message: message ?? known.message });
}

const AUTHORIZATION = /^(?:Zoho-oauthtoken|Bearer)\s+(\S+)\s*$/i;
/** The organisation header the real API requires; the sandbox checks it only when configured to. */
export const ORGANIZATION_HEADER = 'x-com-zoho-subscriptions-organizationid';

export interface BillingApiOptions {
  store: DataStore;
  tokens: TokenIssuer;
  latencyMs: number;
  limiter?: FixedWindowLimiter | undefined;
  organizationId?: string | undefined;
}

function parsePositiveInt(raw: string | null): number | undefined {
  if (raw === null || !/^\d+$/.test(raw.trim())) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

function listPage(options: BillingApiOptions, context: RequestContext): Reply {
  const { store } = options;
  const dataset = store.datasetAtPath('billing', context.path);
  if (!dataset) return billingError(404);
  if (context.method !== 'GET')
    return billingError(405, `The HTTP method ${context.method} is not allowed for the requested resource`);

  const { searchParams } = context.url;
  let page = 1;
  if (searchParams.has('page')) {
    const parsed = parsePositiveInt(searchParams.get('page'));
    if (parsed === undefined)
      return billingError(400, 'Invalid value passed for page. It must be a positive integer.');
    page = parsed;
  }
  let perPage = BILLING_DEFAULT_PER_PAGE;
  if (searchParams.has('per_page')) {
    const parsed = parsePositiveInt(searchParams.get('per_page'));
    if (parsed === undefined || parsed > BILLING_MAX_PER_PAGE) {
      return billingError(
        400,
        `Invalid value passed for per_page. It must be an integer between 1 and ${BILLING_MAX_PER_PAGE}.`,
      );
    }
    perPage = parsed;
  }

  for (const fault of context.fire(SHIFT)) store.insertAtHead(dataset, fault.shiftBy ?? 1);
  // A repeating cursor: the server ignores `page`, serves page 1 and always says there is more.
  const repeating = context.fire(REPEAT).length > 0;
  if (repeating) page = 1;
  const offset = (page - 1) * perPage;
  const indices = dataset.pageIndices(offset, perPage);
  const hasMore = repeating || offset + indices.length < dataset.liveCount;
  const emptied = context.fire(EMPTY, hasMore && indices.length > 0).length > 0;
  const records = emptied ? [] : indices.map((index) => dataset.record(index));

  return jsonListReply({ code: 0, message: 'success' }, dataset.spec.dataKey, records, {
    page_context: {
      page,
      per_page: perPage,
      has_more_page: hasMore,
      report_name: dataset.spec.dataKey.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
      applied_filter: 'Status.All',
      sort_column: 'created_time',
      sort_order: 'D',
    },
  });
}

export function billingApi(options: BillingApiOptions): ApiDefinition {
  return {
    api: 'billing',
    latencyMs: options.latencyMs,
    limiter: options.limiter,
    errorReply: (status) => billingError(status),
    rateLimitHeaders: (decision) => {
      const headers: Record<string, string> = {
        'x-ratelimit-limit': String(decision.limit),
        'x-ratelimit-remaining': String(decision.remaining),
        'x-ratelimit-reset': String(decision.resetSeconds),
      };
      if (!decision.allowed) headers['retry-after'] = String(decision.resetSeconds);
      return headers;
    },
    handle(context) {
      const match = AUTHORIZATION.exec(context.req.headers.authorization ?? '');
      if (!match || options.tokens.check(match[1] as string) !== 'valid') return billingError(401);
      if (options.organizationId !== undefined) {
        const header = context.req.headers[ORGANIZATION_HEADER];
        if (header !== options.organizationId) {
          return billingError(
            400,
            'Organization ID is missing or invalid. Send it in the X-com-zoho-subscriptions-organizationid header.',
          );
        }
      }
      return listPage(options, context);
    },
  };
}

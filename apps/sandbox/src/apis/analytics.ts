/**
 * The analytics API (modelled on Lago v1): `{<key>:[...],"meta":{current_page,next_page,
 * prev_page,total_pages,total_count}}`, newest first, `Authorization: Bearer <api key>`.
 */
import { ANALYTICS_DEFAULT_PER_PAGE, ANALYTICS_MAX_PER_PAGE } from '../data/catalog.js';
import type { DataStore } from '../data/store.js';
import type { FaultKind } from '../faults.js';
import { jsonListReply, jsonReply, type Reply, statusText } from '../http/reply.js';
import type { ApiDefinition, RequestContext } from '../http/server.js';
import type { FixedWindowLimiter } from '../rate-limit.js';

const SHIFT: ReadonlySet<FaultKind> = new Set(['shift_records']);
const REPEAT: ReadonlySet<FaultKind> = new Set(['repeat_cursor']);
const EMPTY: ReadonlySet<FaultKind> = new Set(['empty_page']);

export function analyticsError(status: number, code?: string): Reply {
  const body: Record<string, unknown> = { status, error: statusText(status) };
  if (code !== undefined) body.code = code;
  return jsonReply(status, body);
}

export interface AnalyticsApiOptions {
  store: DataStore;
  apiKey: string;
  latencyMs: number;
  limiter?: FixedWindowLimiter | undefined;
}

/** Like the real API's pagination library: junk or non-positive values fall back to defaults. */
function intParam(raw: string | null, fallback: number): number {
  if (raw === null || !/^\s*\d+\s*$/.test(raw)) return fallback;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= 1 ? value : fallback;
}

function listPage(options: AnalyticsApiOptions, context: RequestContext): Reply {
  const { store } = options;
  const dataset = store.datasetAtPath('analytics', context.path);
  if (!dataset) return analyticsError(404, 'route_not_found');
  if (context.method !== 'GET') return analyticsError(405, 'method_not_allowed');

  const { searchParams } = context.url;
  let page = intParam(searchParams.get('page'), 1);
  const perPage = Math.min(
    intParam(searchParams.get('per_page'), ANALYTICS_DEFAULT_PER_PAGE),
    ANALYTICS_MAX_PER_PAGE,
  );

  for (const fault of context.fire(SHIFT)) store.insertAtHead(dataset, fault.shiftBy ?? 1);
  const total = dataset.liveCount;
  const totalPages = Math.ceil(total / perPage);
  if (total === 0) page = 0;
  const offset = Math.max(0, page - 1) * perPage;
  const indices = page === 0 ? [] : dataset.pageIndices(offset, perPage);
  let nextPage: number | null = page >= 1 && page < totalPages ? page + 1 : null;
  // A repeating cursor: next_page names the page just served, forever.
  if (page >= 1 && context.fire(REPEAT).length > 0) nextPage = page;
  const emptied =
    context.fire(EMPTY, nextPage !== null && nextPage !== page && indices.length > 0).length > 0;
  const records = emptied ? [] : indices.map((index) => dataset.record(index));

  return jsonListReply({}, dataset.spec.dataKey, records, {
    meta: {
      current_page: page,
      next_page: nextPage,
      prev_page: page > 1 ? page - 1 : null,
      total_pages: totalPages,
      total_count: total,
    },
  });
}

export function analyticsApi(options: AnalyticsApiOptions): ApiDefinition {
  const expected = `Bearer ${options.apiKey}`;
  return {
    api: 'analytics',
    latencyMs: options.latencyMs,
    limiter: options.limiter,
    errorReply: (status) => analyticsError(status),
    rateLimitHeaders: (decision) => ({
      'x-ratelimit-limit': String(decision.limit),
      'x-ratelimit-remaining': String(decision.remaining),
      'x-ratelimit-reset': String(decision.resetSeconds),
    }),
    handle(context) {
      if ((context.req.headers.authorization ?? '').trim() !== expected) {
        return jsonReply(401, { status: 401, error: 'Unauthorized' });
      }
      return listPage(options, context);
    },
  };
}

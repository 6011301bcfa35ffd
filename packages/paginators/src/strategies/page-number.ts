import { z } from 'zod';
import {
  exclusive,
  nonNegativeInt,
  paramName,
  positiveInt,
  requestBodyPath,
  requires,
  responsePath,
  strictConfig,
} from '../config/fields.js';
import { parseConfig } from '../config/parse-config.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import { type RequestTarget, targetOf, withValue } from '../request.js';
import { readCount, responseField } from '../response-values.js';
import type { PageResponse, Paginator, RequestSpec } from '../types.js';
import { endedByResponse, type PaginatorBound, type RangeRules } from './range-rules.js';

export const pageNumberConfigSchema = strictConfig(z.literal('page_number'), {
  page_param: paramName.optional(),
  page_body_path: requestBodyPath.optional(),
  base_page: nonNegativeInt.optional(),
  page: nonNegativeInt.optional(),
  limit: positiveInt.optional(),
  limit_param: paramName.optional(),
  limit_body_path: requestBodyPath.optional(),
  total_path: responsePath.nullish(),
  has_more_path: responsePath.nullish(),
  maximum_page: positiveInt.nullish(),
  stop_after_empty_page: z.boolean().optional(),
}).superRefine((config, ctx) => {
  exclusive(ctx, config, 'page_param', 'page_body_path');
  exclusive(ctx, config, 'limit_param', 'limit_body_path');
  requires(ctx, config, 'limit_param', 'limit');
  requires(ctx, config, 'limit_body_path', 'limit');
  const base = defaultBasePage(config);
  if (config.page !== undefined && config.page < base) {
    ctx.addIssue({ code: 'custom', path: ['page'], message: `must be at least base_page (${base})` });
  }
  const first = config.page ?? base;
  if (config.maximum_page != null && config.maximum_page <= first) {
    ctx.addIssue({
      code: 'custom',
      path: ['maximum_page'],
      message: `must be greater than the first page (${first}); the page numbered maximum_page is never requested`,
    });
  }
  const stops =
    config.stop_after_empty_page !== false ||
    config.limit !== undefined ||
    config.total_path != null ||
    config.has_more_path != null ||
    config.maximum_page != null;
  if (!stops) {
    ctx.addIssue({
      code: 'custom',
      path: ['stop_after_empty_page'],
      message:
        'with stop_after_empty_page false, set limit, total_path, has_more_path or maximum_page, or it never stops',
    });
  }
});

export type PageNumberConfig = z.input<typeof pageNumberConfigSchema>;
export type PageNumberOptions = Omit<PageNumberConfig, 'type'>;

/**
 * `base_page` defaults to 0, as in dlt, unless the config sets a page size (`limit`), which dlt's
 * page-number paginator does not accept. Such page+size configs (the billing seed: `page` and
 * `per_page=200`) follow the convention of those APIs (Zoho, Lago, GitHub, WordPress, Rails'
 * Kaminari...) whose first page is 1. Any valid dlt config keeps dlt's behaviour exactly; an API
 * whose page-size config starts at 0 sets `base_page: 0`.
 */
export function defaultBasePage(config: Pick<PageNumberConfig, 'base_page' | 'limit'>): number {
  return config.base_page ?? (config.limit !== undefined ? 1 : 0);
}

/** Page-size param when `limit` is set without one: `per_page`, the page-number APIs' convention. */
export const PAGE_NUMBER_LIMIT_PARAM = 'per_page';

/** Asks for page after page: `?page=1`, `?page=2`, ... optionally with a page size. */
export class PageNumberPaginator implements Paginator {
  readonly type = 'page_number';
  readonly bound: PaginatorBound | undefined;
  readonly #page: RequestTarget;
  readonly #limit: RequestTarget | undefined;
  readonly #rules: RangeRules;
  readonly #basePage: number;
  #current: number;

  constructor(options: PageNumberOptions = {}) {
    const config = parseConfig(pageNumberConfigSchema, { ...options, type: 'page_number' });
    this.#page = targetOf(config.page_param, config.page_body_path, 'page');
    this.#limit =
      config.limit === undefined
        ? undefined
        : targetOf(config.limit_param, config.limit_body_path, PAGE_NUMBER_LIMIT_PARAM);
    this.#rules = {
      stopAfterEmptyPage: config.stop_after_empty_page ?? true,
      limit: config.limit,
      total: responseField('total_path', config.total_path ?? undefined),
      hasMore: responseField('has_more_path', config.has_more_path ?? undefined),
    };
    this.#basePage = defaultBasePage(config);
    this.#current = config.page ?? this.#basePage;
    this.bound =
      config.maximum_page == null
        ? undefined
        : { option: 'maximum_page', target: this.#page, maximum: config.maximum_page };
  }

  initRequest(request: RequestSpec): RequestSpec {
    return this.#shape(request);
  }

  nextRequest(request: RequestSpec, response: PageResponse): RequestSpec | undefined {
    if (endedByResponse(this.#rules, response)) return undefined;
    const next = this.#current + 1;
    // total_path holds the number of pages, counted from base_page.
    if (this.#rules.total !== undefined && next >= readCount(this.#rules.total, response) + this.#basePage)
      return undefined;
    if (this.bound !== undefined && next >= this.bound.maximum) return undefined;
    this.#current = next;
    return this.#shape(request);
  }

  /** Pages `next + 1`, `next + 2`, ... up to `count`, short of `total_path` and `maximum_page`. */
  requestsAfter(next: RequestSpec, response: PageResponse, count: number): RequestSpec[] {
    // total_path holds the number of pages, counted from base_page.
    const end = Math.min(
      this.#rules.total === undefined
        ? Number.POSITIVE_INFINITY
        : readCount(this.#rules.total, response) + this.#basePage,
      this.bound?.maximum ?? Number.POSITIVE_INFINITY,
    );
    const ahead: RequestSpec[] = [];
    for (let page = this.#current + 1; page < end && ahead.length < count; page++) {
      ahead.push(this.#shape(next, page));
    }
    return ahead;
  }

  checkpoint(): { page: number } {
    return { page: this.#current };
  }

  restore(checkpoint: unknown): void {
    const page = (checkpoint as { page?: unknown } | null)?.page;
    if (typeof page !== 'number' || !Number.isInteger(page) || page < 0) {
      throw new CheckpointError(this.type, checkpoint, '{ "page": <non-negative integer> }');
    }
    this.#current = page;
  }

  #shape(request: RequestSpec, page = this.#current): RequestSpec {
    const paged = withValue(request, this.#page, page);
    return this.#limit === undefined ? paged : withValue(paged, this.#limit, this.#rules.limit as number);
  }
}

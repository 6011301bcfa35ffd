import { z } from 'zod';
import {
  exclusive,
  nonNegativeInt,
  paramName,
  positiveInt,
  requestBodyPath,
  responsePath,
  strictConfig,
} from '../config/fields.js';
import { parseConfig } from '../config/parse-config.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import { type RequestTarget, targetOf, withValue } from '../request.js';
import { readCount, responseField } from '../response-values.js';
import type { PageResponse, Paginator, RequestSpec } from '../types.js';
import { endedByResponse, type PaginatorBound, type RangeRules } from './range-rules.js';

export const offsetConfigSchema = strictConfig(z.literal('offset'), {
  limit: z
    .number({
      error: (issue) => (issue.input === undefined ? 'required: the number of records per page' : undefined),
    })
    .int()
    .positive(),
  offset: nonNegativeInt.optional(),
  offset_param: paramName.optional(),
  offset_body_path: requestBodyPath.optional(),
  limit_param: paramName.optional(),
  limit_body_path: requestBodyPath.optional(),
  total_path: responsePath.nullish(),
  has_more_path: responsePath.nullish(),
  maximum_offset: positiveInt.nullish(),
  stop_after_empty_page: z.boolean().optional(),
}).superRefine((config, ctx) => {
  exclusive(ctx, config, 'offset_param', 'offset_body_path');
  exclusive(ctx, config, 'limit_param', 'limit_body_path');
  const first = config.offset ?? 0;
  if (config.maximum_offset != null && config.maximum_offset <= first) {
    ctx.addIssue({
      code: 'custom',
      path: ['maximum_offset'],
      message: `must be greater than the first offset (${first}); offsets from maximum_offset on are never requested`,
    });
  }
});

export type OffsetConfig = z.input<typeof offsetConfigSchema>;
export type OffsetOptions = Omit<OffsetConfig, 'type'>;

/** Asks for `limit` records at a time: `?offset=0&limit=100`, `?offset=100&limit=100`, ... */
export class OffsetPaginator implements Paginator {
  readonly type = 'offset';
  readonly bound: PaginatorBound | undefined;
  readonly #offset: RequestTarget;
  readonly #limit: RequestTarget;
  readonly #rules: RangeRules & { limit: number };
  #current: number;

  constructor(options: OffsetOptions) {
    const config = parseConfig(offsetConfigSchema, { ...options, type: 'offset' });
    this.#offset = targetOf(config.offset_param, config.offset_body_path, 'offset');
    this.#limit = targetOf(config.limit_param, config.limit_body_path, 'limit');
    this.#rules = {
      stopAfterEmptyPage: config.stop_after_empty_page ?? true,
      limit: config.limit,
      total: responseField('total_path', config.total_path ?? undefined),
      hasMore: responseField('has_more_path', config.has_more_path ?? undefined),
    };
    this.#current = config.offset ?? 0;
    this.bound =
      config.maximum_offset == null
        ? undefined
        : { option: 'maximum_offset', target: this.#offset, maximum: config.maximum_offset };
  }

  initRequest(request: RequestSpec): RequestSpec {
    return this.#shape(request);
  }

  nextRequest(request: RequestSpec, response: PageResponse): RequestSpec | undefined {
    if (endedByResponse(this.#rules, response)) return undefined;
    const next = this.#current + this.#rules.limit;
    // total_path holds the number of records.
    if (this.#rules.total !== undefined && next >= readCount(this.#rules.total, response)) return undefined;
    if (this.bound !== undefined && next >= this.bound.maximum) return undefined;
    this.#current = next;
    return this.#shape(request);
  }

  /** Offsets `next + limit`, `next + 2 * limit`, ... up to `count`, short of `total_path` and `maximum_offset`. */
  requestsAfter(next: RequestSpec, response: PageResponse, count: number): RequestSpec[] {
    // total_path holds the number of records.
    const end = Math.min(
      this.#rules.total === undefined ? Number.POSITIVE_INFINITY : readCount(this.#rules.total, response),
      this.bound?.maximum ?? Number.POSITIVE_INFINITY,
    );
    const ahead: RequestSpec[] = [];
    for (
      let offset = this.#current + this.#rules.limit;
      offset < end && ahead.length < count;
      offset += this.#rules.limit
    ) {
      ahead.push(this.#shape(next, offset));
    }
    return ahead;
  }

  checkpoint(): { offset: number } {
    return { offset: this.#current };
  }

  restore(checkpoint: unknown): void {
    const offset = (checkpoint as { offset?: unknown } | null)?.offset;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
      throw new CheckpointError(this.type, checkpoint, '{ "offset": <non-negative integer> }');
    }
    this.#current = offset;
  }

  #shape(request: RequestSpec, offset = this.#current): RequestSpec {
    return withValue(withValue(request, this.#offset, offset), this.#limit, this.#rules.limit);
  }
}

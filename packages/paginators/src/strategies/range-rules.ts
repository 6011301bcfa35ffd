import { type RequestTarget, readValue } from '../request.js';
import { type ResponseField, readFlag } from '../response-values.js';
import type { PageResponse, RequestSpec } from '../types.js';

/** Stop rules shared by `page_number` and `offset`. */
export interface RangeRules {
  stopAfterEmptyPage: boolean;
  limit: number | undefined;
  total: ResponseField | undefined;
  hasMore: ResponseField | undefined;
}

/**
 * True when the response itself says there is no next page: it is empty (and
 * `stop_after_empty_page` is on), `has_more_path` is false, or it is shorter than `limit`.
 * The short-page rule applies only when neither `total_path` nor `has_more_path` is set: those
 * are the API's own word, and an API that caps the page size below `limit` would otherwise end early.
 */
export function endedByResponse(rules: RangeRules, response: PageResponse): boolean {
  const count = response.records.length;
  if (rules.stopAfterEmptyPage && count === 0) return true;
  if (rules.hasMore !== undefined && !readFlag(rules.hasMore, response)) return true;
  if (rules.limit !== undefined && rules.total === undefined && rules.hasMore === undefined) {
    return count < rules.limit;
  }
  return false;
}

/**
 * A value a strategy never requests (`maximum_page`, `maximum_offset`). The loop guard checks it too,
 * so a restored or custom paginator cannot run past it either.
 */
export interface PaginatorBound {
  option: string;
  target: RequestTarget;
  /** Exclusive, as in dlt: the value `maximum` itself is not requested. */
  maximum: number;
}

/** Reads a bounded value back from a request, for the loop guard. */
export function boundValue(bound: PaginatorBound, request: RequestSpec): number | undefined {
  const value = readValue(request, bound.target);
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

import { z } from 'zod';
import {
  exclusive,
  paramName,
  positiveInt,
  requestBodyPath,
  requires,
  responsePath,
  strictConfig,
} from '../config/fields.js';
import { parseConfig } from '../config/parse-config.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import { PaginatorResponseError } from '../errors/paginator-response-error.js';
import { shownUrl, truncate } from '../redact.js';
import { isCursorValue, type RequestTarget, targetOf, withValue } from '../request.js';
import { type ResponseField, responseField } from '../response-values.js';
import type { PageResponse, Paginator, RequestSpec } from '../types.js';

export const cursorConfigSchema = strictConfig(z.enum(['cursor', 'json_response_cursor']), {
  cursor_path: responsePath.optional(),
  cursor_param: paramName.optional(),
  cursor_body_path: requestBodyPath.optional(),
  limit: positiveInt.optional(),
  limit_param: paramName.optional(),
  limit_body_path: requestBodyPath.optional(),
}).superRefine((config, ctx) => {
  exclusive(ctx, config, 'cursor_param', 'cursor_body_path');
  exclusive(ctx, config, 'limit_param', 'limit_body_path');
  requires(ctx, config, 'limit_param', 'limit');
  requires(ctx, config, 'limit_body_path', 'limit');
});

export type CursorConfig = z.input<typeof cursorConfigSchema>;
export type CursorOptions = Omit<CursorConfig, 'type'>;

/** dlt's default place of the next cursor in the body. */
export const DEFAULT_CURSOR_PATH = 'cursors.next';

/**
 * The page-size param when `limit` is set without `limit_param` (dlt's cursor paginator has no
 * limit, so there is nothing to follow). A cursor sent as `page` is a page number (the analytics
 * seed: Lago's `meta.next_page`), and page-number APIs take `per_page`; other cursor APIs (Stripe,
 * Slack...) take `limit`, the name dlt's offset paginator uses too.
 */
export function defaultCursorLimitParam(config: Pick<CursorConfig, 'cursor_param'>): string {
  return config.cursor_param === 'page' ? 'per_page' : 'limit';
}

/**
 * Follows a cursor found in the body (`cursor_path`), sent back as a query param or in the JSON body.
 * Stops when the cursor is null, missing or an empty string.
 */
export class CursorPaginator implements Paginator {
  readonly type = 'cursor';
  readonly #cursorField: ResponseField;
  readonly #cursor: RequestTarget;
  readonly #limit: { target: RequestTarget; value: number } | undefined;
  #value: string | number | undefined;

  constructor(options: CursorOptions = {}) {
    const config = parseConfig(cursorConfigSchema, { ...options, type: 'cursor' });
    this.#cursorField = responseField(
      'cursor_path',
      config.cursor_path ?? DEFAULT_CURSOR_PATH,
    ) as ResponseField;
    this.#cursor = targetOf(config.cursor_param, config.cursor_body_path, 'cursor');
    this.#limit =
      config.limit === undefined
        ? undefined
        : {
            target: targetOf(config.limit_param, config.limit_body_path, defaultCursorLimitParam(config)),
            value: config.limit,
          };
  }

  initRequest(request: RequestSpec): RequestSpec {
    return this.#shape(request);
  }

  nextRequest(request: RequestSpec, response: PageResponse): RequestSpec | undefined {
    const value = this.#cursorField.read(response.body);
    if (value === null || value === undefined || value === '') return undefined;
    if (!isCursorValue(value)) {
      const shown = truncate(JSON.stringify(value), 60);
      throw new PaginatorResponseError(
        `cursor_path ${JSON.stringify(this.#cursorField.path)} holds ${shown}; expected a string or number`,
        shownUrl(response.url),
      );
    }
    this.#value = value;
    return this.#shape(request);
  }

  checkpoint(): { cursor: string | number | null } {
    return { cursor: this.#value ?? null };
  }

  restore(checkpoint: unknown): void {
    const cursor = (checkpoint as { cursor?: unknown } | null)?.cursor;
    if (cursor !== null && !isCursorValue(cursor)) {
      throw new CheckpointError(this.type, checkpoint, '{ "cursor": <string, number or null> }');
    }
    this.#value = cursor ?? undefined;
  }

  #shape(request: RequestSpec): RequestSpec {
    const withCursor = this.#value === undefined ? request : withValue(request, this.#cursor, this.#value);
    return this.#limit === undefined
      ? withCursor
      : withValue(withCursor, this.#limit.target, this.#limit.value);
  }
}

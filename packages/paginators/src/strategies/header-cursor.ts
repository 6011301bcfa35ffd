import { z } from 'zod';
import { paramName, strictConfig } from '../config/fields.js';
import { parseConfig } from '../config/parse-config.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import { queryParam, type RequestTarget, withValue } from '../request.js';
import type { PageResponse, Paginator, RequestSpec } from '../types.js';

export const headerCursorConfigSchema = strictConfig(z.literal('header_cursor'), {
  cursor_key: z.string().min(1, 'expected a non-empty header name').optional(),
  cursor_param: paramName.optional(),
});

export type HeaderCursorConfig = z.input<typeof headerCursorConfigSchema>;
export type HeaderCursorOptions = Omit<HeaderCursorConfig, 'type'>;

/**
 * Reads the next cursor from a response header (`cursor_key`, default `next`) and sends it as the
 * query param `cursor_param` (default `cursor`). Stops when the header is missing or empty.
 */
export class HeaderCursorPaginator implements Paginator {
  readonly type = 'header_cursor';
  readonly #header: string;
  readonly #param: RequestTarget;
  #value: string | undefined;

  constructor(options: HeaderCursorOptions = {}) {
    const config = parseConfig(headerCursorConfigSchema, { ...options, type: 'header_cursor' });
    this.#header = config.cursor_key ?? 'next';
    this.#param = queryParam(config.cursor_param ?? 'cursor');
  }

  initRequest(request: RequestSpec): RequestSpec {
    return this.#value === undefined ? request : withValue(request, this.#param, this.#value);
  }

  nextRequest(request: RequestSpec, response: PageResponse): RequestSpec | undefined {
    const value = response.headers.get(this.#header)?.trim();
    if (!value) return undefined;
    this.#value = value;
    return withValue(request, this.#param, value);
  }

  checkpoint(): { cursor: string | null } {
    return { cursor: this.#value ?? null };
  }

  restore(checkpoint: unknown): void {
    const cursor = (checkpoint as { cursor?: unknown } | null)?.cursor;
    if (cursor !== null && typeof cursor !== 'string') {
      throw new CheckpointError(this.type, checkpoint, '{ "cursor": <string or null> }');
    }
    this.#value = cursor ?? undefined;
  }
}

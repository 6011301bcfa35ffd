import { z } from 'zod';
import { responsePath, strictConfig } from '../config/fields.js';
import { parseConfig } from '../config/parse-config.js';
import { PaginatorResponseError } from '../errors/paginator-response-error.js';
import { shownUrl, truncate } from '../redact.js';
import { type ResponseField, responseField } from '../response-values.js';
import type { PageResponse, Paginator, RequestSpec } from '../types.js';
import { NextUrlState } from './next-url.js';

export const jsonLinkConfigSchema = strictConfig(z.literal('json_link'), {
  next_url_path: responsePath.optional(),
});

export type JsonLinkConfig = z.input<typeof jsonLinkConfigSchema>;
export type JsonLinkOptions = Omit<JsonLinkConfig, 'type'>;

/**
 * Follows the next-page URL found in the body at `next_url_path` (default `next`). A relative URL is
 * resolved against the response URL. Stops when it is null, missing or empty.
 */
export class JsonLinkPaginator implements Paginator {
  readonly type = 'json_link';
  readonly #field: ResponseField;
  readonly #state = new NextUrlState(this.type);

  constructor(options: JsonLinkOptions = {}) {
    const config = parseConfig(jsonLinkConfigSchema, { ...options, type: 'json_link' });
    this.#field = responseField('next_url_path', config.next_url_path ?? 'next') as ResponseField;
  }

  initRequest(request: RequestSpec): RequestSpec {
    return this.#state.initRequest(request);
  }

  nextRequest(request: RequestSpec, response: PageResponse): RequestSpec | undefined {
    const value = this.#field.read(response.body);
    if (value === null || value === undefined || value === '') return undefined;
    const base = response.url || request.url;
    const url =
      typeof value === 'string' && URL.canParse(value, base) ? new URL(value, base).toString() : undefined;
    if (url === undefined) {
      throw new PaginatorResponseError(
        `next_url_path ${JSON.stringify(this.#field.path)} holds ${truncate(JSON.stringify(value), 60)}; expected a URL`,
        shownUrl(response.url),
      );
    }
    return this.#state.follow(request, url);
  }

  checkpoint(): { next_url: string | null } {
    return this.#state.checkpoint();
  }

  restore(checkpoint: unknown): void {
    this.#state.restore(checkpoint);
  }
}

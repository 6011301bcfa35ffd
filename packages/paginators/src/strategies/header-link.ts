import { z } from 'zod';
import { strictConfig } from '../config/fields.js';
import { parseConfig } from '../config/parse-config.js';
import { findLink } from '../link-header.js';
import type { PageResponse, Paginator, RequestSpec } from '../types.js';
import { NextUrlState } from './next-url.js';

export const headerLinkConfigSchema = strictConfig(z.literal('header_link'), {
  links_next_key: z.string().min(1).optional(),
});

export type HeaderLinkConfig = z.input<typeof headerLinkConfigSchema>;
export type HeaderLinkOptions = Omit<HeaderLinkConfig, 'type'>;

/**
 * Follows the RFC 8288 `Link` header's `rel="next"` target (or `links_next_key`), resolved against
 * the response URL. Stops when there is no such link.
 */
export class HeaderLinkPaginator implements Paginator {
  readonly type = 'header_link';
  readonly #rel: string;
  readonly #state = new NextUrlState(this.type);

  constructor(options: HeaderLinkOptions = {}) {
    const config = parseConfig(headerLinkConfigSchema, { ...options, type: 'header_link' });
    this.#rel = config.links_next_key ?? 'next';
  }

  initRequest(request: RequestSpec): RequestSpec {
    return this.#state.initRequest(request);
  }

  nextRequest(request: RequestSpec, response: PageResponse): RequestSpec | undefined {
    const url = findLink(response.headers.get('link'), this.#rel, response.url || request.url);
    return url === undefined ? undefined : this.#state.follow(request, url);
  }

  checkpoint(): { next_url: string | null } {
    return this.#state.checkpoint();
  }

  restore(checkpoint: unknown): void {
    this.#state.restore(checkpoint);
  }
}

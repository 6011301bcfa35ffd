import { z } from 'zod';
import { strictConfig } from '../config/fields.js';
import type { Paginator, RequestSpec } from '../types.js';

export const singlePageConfigSchema = strictConfig(z.literal('single_page'), {});

export type SinglePageConfig = z.input<typeof singlePageConfigSchema>;

/** One request, no pagination. */
export class SinglePagePaginator implements Paginator {
  readonly type = 'single_page';

  initRequest(request: RequestSpec): RequestSpec {
    return request;
  }

  nextRequest(): undefined {
    return undefined;
  }

  checkpoint(): Record<string, never> {
    return {};
  }

  restore(): void {}
}

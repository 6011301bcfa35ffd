/** Type-level tests of the public API (checked by `pnpm typecheck` in CI, and run as tests). */

import type { SiphonError } from '@siphon/errors';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createPaginator,
  type PageResponse,
  type Paginator,
  type PaginatorError,
  type RequestSpec,
} from '../src/index.js';

describe('@siphon/paginators public types', () => {
  it('builds a Paginator from a dlt-style config, a type name, an instance or nothing', () => {
    expectTypeOf(createPaginator).returns.toEqualTypeOf<Paginator>();
    expectTypeOf<undefined>().toExtend<Parameters<typeof createPaginator>[0]>();
    expectTypeOf<'auto'>().toExtend<Parameters<typeof createPaginator>[0]>();
    expectTypeOf<Paginator>().toExtend<Parameters<typeof createPaginator>[0]>();
  });

  it('is pure: a paginator maps a request and a response to the next request, or undefined at the end', () => {
    expectTypeOf<Paginator['nextRequest']>().parameters.toEqualTypeOf<[RequestSpec, PageResponse]>();
    expectTypeOf<Paginator['nextRequest']>().returns.toEqualTypeOf<RequestSpec | undefined>();
    expectTypeOf<Paginator['checkpoint']>().returns.toBeUnknown();
    // Pages ahead is optional: a custom paginator need not predict.
    expectTypeOf<Paginator>()
      .toHaveProperty('requestsAfter')
      .toExtend<undefined | ((...args: never[]) => RequestSpec[])>();
  });

  it('throws errors under the one root', () => {
    expectTypeOf<PaginatorError>().toExtend<SiphonError>();
  });
});

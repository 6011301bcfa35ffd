/**
 * Type-level tests of the contracts other packages and users build on: the `Source`, the `Sink`
 * and its writer, state, errors and packaged sources (checked by `pnpm typecheck` in CI).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  ConfigError,
  HttpError,
  MemorySink,
  MemoryStateStore,
  Page,
  ResourceResult,
  ResourceState,
  ResourceWriter,
  Sink,
  SiphonError,
  Source,
  SourcePlugin,
  StateStore,
} from '../../src/index.js';

describe('@siphon/core public types', () => {
  it('a source streams pages per resource, pulled with backpressure', () => {
    type Stream = Source['resources'][number];
    expectTypeOf<ReturnType<Stream['read']>>().toEqualTypeOf<AsyncIterable<Page>>();
    expectTypeOf<Page['state']>().toEqualTypeOf<ResourceState>();
  });

  it('a sink opens one writer per resource; finish takes the result and the final state', () => {
    expectTypeOf<ReturnType<Sink['open']>>().toEqualTypeOf<Promise<ResourceWriter>>();
    expectTypeOf<ResourceWriter['finish']>().parameters.toEqualTypeOf<[ResourceResult, ResourceState]>();
    expectTypeOf<MemorySink>().toExtend<Sink>();
    expectTypeOf<MemoryStateStore>().toExtend<StateStore>();
  });

  it('a packaged source validates options and builds a rest_api config', () => {
    expectTypeOf<SourcePlugin<{ limit: number }>['parseOptions']>().returns.toEqualTypeOf<{
      limit: number;
    }>();
    expectTypeOf<SourcePlugin<{ limit: number }>['build']>().parameter(0).toEqualTypeOf<{ limit: number }>();
  });

  it("core's errors are SiphonErrors", () => {
    expectTypeOf<ConfigError>().toExtend<SiphonError>();
    expectTypeOf<HttpError>().toExtend<SiphonError>();
  });

  it('a resource result leaves `resumed` out rather than set to undefined (exactOptionalPropertyTypes)', () => {
    const result: ResourceResult = { resource: 'r', pages: 1, records: 1, complete: true };
    expectTypeOf(result).toEqualTypeOf<ResourceResult>();
    // @ts-expect-error: optional properties are omitted, never undefined
    const bad: ResourceResult = { resource: 'r', pages: 1, records: 1, complete: true, resumed: undefined };
    void bad;
  });
});

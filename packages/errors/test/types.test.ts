/**
 * Type-level tests of the public API: checked by `pnpm typecheck` (tsc over the tests) in CI, and
 * run as ordinary tests. A change that breaks what callers compile against fails here.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { asError, SiphonError, type SiphonErrorOptions } from '../src/index.js';

describe('@siphon/errors public types', () => {
  it('narrows unknown errors to SiphonError, with a code and a retriable flag', () => {
    const caught: unknown = new SiphonError('x', { code: 'X' });
    if (SiphonError.isInstance(caught)) {
      expectTypeOf(caught).toEqualTypeOf<SiphonError>();
      expectTypeOf(caught.code).toEqualTypeOf<string>();
      expectTypeOf(caught.retriable).toEqualTypeOf<boolean>();
    }
    expectTypeOf(asError).returns.toEqualTypeOf<Error>();
  });

  it('requires a code, and takes no explicit undefined for optional options (exactOptionalPropertyTypes)', () => {
    expectTypeOf<SiphonErrorOptions>().toHaveProperty('code').toEqualTypeOf<string>();
    // @ts-expect-error: a code is required
    new SiphonError('x', {});
    // @ts-expect-error: an optional property is left out, not set to undefined
    new SiphonError('x', { code: 'X', retriable: undefined });
  });
});

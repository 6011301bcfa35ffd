import { describe, expect, it } from 'vitest';
import { asError, ERROR_CODE, SiphonError } from '../src/index.js';

describe('SiphonError', () => {
  it('carries code, retriable and cause, and names itself after its class', () => {
    class DiskFull extends SiphonError {}
    const cause = new Error('ENOSPC');
    const error = new DiskFull('disk full', { code: 'DISK_FULL', retriable: true, cause });
    expect(error).toMatchObject({
      name: 'DiskFull',
      message: 'disk full',
      code: 'DISK_FULL',
      retriable: true,
    });
    expect(error.cause).toBe(cause);
    expect(new SiphonError('x', { code: 'X' }).retriable).toBe(false);
    expect(error.toJSON()).toEqual({
      name: 'DiskFull',
      code: 'DISK_FULL',
      message: 'disk full',
      retriable: true,
    });
  });

  it('isInstance recognises errors of another copy of the package by their marker', () => {
    const foreign = Object.assign(new Error('from another install'), {
      [Symbol.for('@siphon/core.SiphonError')]: true,
    });
    expect(SiphonError.isInstance(foreign)).toBe(true);
    expect(SiphonError.isInstance(new Error('plain'))).toBe(false);
    expect(SiphonError.isInstance('text')).toBe(false);
    expect(SiphonError.isInstance(null)).toBe(false);
  });

  it('ERROR_CODE accepts upper snake case only', () => {
    for (const code of ['HTTP_STATUS', 'OAUTH2_NETWORK', 'DECODE', 'KEY_MISSING'])
      expect(code).toMatch(ERROR_CODE);
    for (const code of ['http_status', 'HttpStatus', '_X', 'X_', 'A__B', '2FA', 'custom', ''])
      expect(code).not.toMatch(ERROR_CODE);
  });

  it('asError keeps errors and wraps anything else as NOT_AN_ERROR with the value as cause', () => {
    const error = new RangeError('r');
    expect(asError(error)).toBe(error);
    const wrapped = asError('boom');
    expect(SiphonError.isInstance(wrapped)).toBe(true);
    expect(wrapped).toMatchObject({ message: 'boom', code: 'NOT_AN_ERROR', cause: 'boom' });
  });
});

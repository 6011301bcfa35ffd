import { describe, expect, it } from 'vitest';
import { IncrementalCursor } from '../../src/engine/incremental.js';
import { applyLag, compareValues } from '../../src/engine/values.js';
import { parseRateLimitReset, parseRetryAfter } from '../../src/http/retry-policy.js';

describe('cursor values', () => {
  it('orders date-times by instant across UTC offsets (the billing API writes -0700)', () => {
    expect(compareValues('2016-06-05T17:38:06-0700', '2016-06-06T00:30:00Z')).toBeGreaterThan(0);
    expect(compareValues('2016-06-05', '2016-06-04T23:59:59Z')).toBeGreaterThan(0);
    expect(compareValues(10, 9)).toBeGreaterThan(0);
    expect(compareValues('b', 'a')).toBeGreaterThan(0);
  });

  it('applies lag in the value’s own format', () => {
    expect(applyLag('2016-06-05T17:38:06-0700', 3600)).toBe('2016-06-05T16:38:06-0700');
    expect(applyLag('2024-03-01T00:00:30+05:30', 60)).toBe('2024-02-29T23:59:30+05:30');
    expect(applyLag('2024-01-01T00:00:00.250Z', 1)).toBe('2023-12-31T23:59:59.250Z');
    expect(applyLag('2024-03-01', 1)).toBe('2024-02-29');
    expect(applyLag(100, 5)).toBe(95);
    expect(applyLag(100, 5, -1)).toBe(105);
    expect(applyLag('opaque-cursor', 5)).toBe('opaque-cursor');
  });

  it('tracks the minimum with last_value_func "min" and keeps records from the start downwards', () => {
    const cursor = new IncrementalCursor(
      {
        cursorPath: 'n',
        lastValueFunc: 'min',
        onCursorValueMissing: 'raise',
        rangeStart: 'closed',
        rangeEnd: 'open',
        initialValue: 10,
      },
      'r',
    );
    const kept = [12, 10, 7, 3].filter((n) => cursor.accept({ n }, 'x'));
    expect(kept).toEqual([10, 7, 3]);
    expect(cursor.entry()).toEqual({ last_value: 3, initial_value: 10 });
  });
});

describe('server wait headers', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  it('reads Retry-After as seconds or HTTP-date', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('tells X-RateLimit-Reset seconds-until from epoch seconds and epoch ms', () => {
    expect(parseRateLimitReset('30', now)).toBe(30_000);
    expect(parseRateLimitReset(String(now / 1000 + 12), now)).toBe(12_000);
    expect(parseRateLimitReset(String(now + 1500), now)).toBe(1500);
    expect(parseRateLimitReset(String(now / 1000 - 60), now)).toBe(0);
  });
});

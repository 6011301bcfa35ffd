/**
 * The one retry loop, on a fake clock: no test here waits for real time. The clock records the
 * waits the loop asks for, and moves its time forward by them.
 */
import { describe, expect, it } from 'vitest';
import { SiphonError } from '../../src/errors/siphon-error.js';
import { backoffDelay } from '../../src/retry/backoff.js';
import {
  isRetriable,
  type RetryClock,
  type RetryFailure,
  retry,
  retryAfterOf,
} from '../../src/retry/retry.js';

function fakeClock(start = 1_000_000): RetryClock & { waits: number[]; time: number } {
  const clock = {
    time: start,
    waits: [] as number[],
    now: () => clock.time,
    async sleep(ms: number, signal?: AbortSignal) {
      signal?.throwIfAborted();
      clock.waits.push(ms);
      clock.time += ms;
      signal?.throwIfAborted();
    },
  };
  return clock;
}

const transient = (retryAfterMs?: number) =>
  Object.assign(
    new SiphonError('busy', { code: 'BUSY', retriable: true }),
    retryAfterMs === undefined ? {} : { retryAfterMs },
  );
const permanent = () => new SiphonError('no', { code: 'REFUSED' });

/** A call that fails with `failures` in turn, then answers "ok"; counts its tries. */
function flaky(failures: Array<() => unknown>) {
  const call = async (attempt: number) => {
    call.tries.push(attempt);
    const next = failures.shift();
    if (next) throw next();
    return 'ok';
  };
  call.tries = [] as number[];
  return call;
}

const policy = { initialDelayMs: 100, maxDelayMs: 1000, jitter: 'none' as const };

describe('retry', () => {
  it('tries again after a retriable error, waiting with exponential backoff up to the cap', async () => {
    const clock = fakeClock();
    const call = flaky(Array.from({ length: 6 }, () => transient));
    await expect(retry(call, { ...policy, clock })).resolves.toBe('ok');
    expect(call.tries).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(clock.waits).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws each wait uniformly under the ceiling with full jitter (the default)', async () => {
    const clock = fakeClock();
    const draws = [0.5, 0.25, 0.999999];
    const call = flaky([transient, transient, transient]);
    await retry(call, {
      initialDelayMs: 100,
      maxDelayMs: 1000,
      clock,
      random: () => draws.shift() as number,
    });
    expect(clock.waits).toEqual([50, 50, 400]);
  });

  it('does not retry an error that is not retriable, and rethrows it unchanged', async () => {
    const clock = fakeClock();
    const refusal = permanent();
    const call = flaky([transient, () => refusal]);
    await expect(retry(call, { ...policy, clock })).rejects.toBe(refusal);
    expect(call.tries).toEqual([1, 2]);
    expect(clock.waits).toEqual([100]);
  });

  it('does not retry a plain Error or a thrown value that says nothing, by default', async () => {
    for (const thrown of [new Error('bug'), 'text', undefined]) {
      const call = flaky([() => thrown]);
      await expect(retry(call, { ...policy, clock: fakeClock() })).rejects.toBe(thrown);
      expect(call.tries).toEqual([1]);
    }
  });

  it("takes the caller's decision instead of the flag when given one", async () => {
    const call = flaky([permanent, permanent]);
    const seen: number[] = [];
    const retriable = (_error: unknown, attempt: number) => {
      seen.push(attempt);
      return true;
    };
    await expect(retry(call, { ...policy, clock: fakeClock(), retriable })).resolves.toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('waits what the error asks for (Retry-After) instead of the backoff, capped at maxDelayMs', async () => {
    const clock = fakeClock();
    const call = flaky([() => transient(700), () => transient(0), () => transient(60_000), transient]);
    const retries: RetryFailure[] = [];
    await retry(call, { ...policy, clock, onRetry: (f) => retries.push(f) });
    expect(clock.waits).toEqual([700, 0, 1000, 800]);
    expect(retries.map((r) => r.asked)).toEqual([true, true, true, false]);
  });

  it('gives up after maxAttempts tries with the last error', async () => {
    const clock = fakeClock();
    const errors = Array.from({ length: 5 }, () => transient());
    const queue = [...errors];
    const call = flaky(Array.from({ length: 5 }, () => () => queue.shift()));
    await expect(retry(call, { ...policy, maxAttempts: 3, clock })).rejects.toBe(errors[2]);
    expect(call.tries).toEqual([1, 2, 3]);
    expect(clock.waits).toEqual([100, 200]);
  });

  it('gives up rather than start a wait that would end past the deadline', async () => {
    const clock = fakeClock();
    const call = flaky(Array.from({ length: 10 }, () => transient));
    // Waits of 100, 200, 400 end at 700 ms; the next (800) would end at 1500 > 1000.
    await expect(retry(call, { ...policy, deadlineMs: 1000, clock })).rejects.toMatchObject({ code: 'BUSY' });
    expect(clock.waits).toEqual([100, 200, 400]);
    expect(call.tries).toEqual([1, 2, 3, 4]);
  });

  it('counts the time the tries themselves take against the deadline', async () => {
    const clock = fakeClock();
    let tries = 0;
    const call = async () => {
      tries++;
      clock.time += 900;
      throw transient();
    };
    // 900 ms of try and a 100 ms wait end exactly at the deadline; after a second try (1900 ms) no wait fits.
    await expect(retry(call, { ...policy, deadlineMs: 1000, clock })).rejects.toMatchObject({ code: 'BUSY' });
    expect(clock.waits).toEqual([100]);
    expect(tries).toBe(2);
  });

  it('stops with the abort reason when the signal aborts during a wait', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const stop = new Error('stopping');
    const call = flaky(Array.from({ length: 10 }, () => transient));
    const onRetry = ({ attempt }: RetryFailure) => {
      if (attempt === 2) controller.abort(stop);
    };
    await expect(retry(call, { ...policy, clock, signal: controller.signal, onRetry })).rejects.toBe(stop);
    expect(call.tries).toEqual([1, 2]);
  });

  it('stops with the abort reason, not the error, when the signal aborts during a try', async () => {
    const controller = new AbortController();
    const stop = new Error('stopping');
    const call = async () => {
      controller.abort(stop);
      throw transient();
    };
    const clock = fakeClock();
    await expect(retry(call, { ...policy, clock, signal: controller.signal })).rejects.toBe(stop);
    expect(clock.waits).toEqual([]);
  });

  it('does not start when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    const call = flaky([]);
    await expect(retry(call, { ...policy, clock: fakeClock(), signal: controller.signal })).rejects.toThrow(
      'already',
    );
    expect(call.tries).toEqual([]);
  });

  it('stops a real wait (the system clock) as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const call = flaky(Array.from({ length: 10 }, () => transient));
    const pending = retry(call, {
      initialDelayMs: 3_600_000,
      maxDelayMs: 3_600_000,
      signal: controller.signal,
      onRetry: () => queueMicrotask(() => controller.abort(new Error('shutdown'))),
    });
    await expect(pending).rejects.toThrow('shutdown');
    expect(call.tries).toEqual([1]);
  });

  it('reports each retry to onRetry before its wait, with the elapsed time', async () => {
    const clock = fakeClock();
    const retries: Array<Omit<RetryFailure, 'error'>> = [];
    const call = flaky([transient, transient]);
    await retry(call, { ...policy, clock, onRetry: ({ error: _e, ...rest }) => retries.push(rest) });
    expect(retries).toEqual([
      { attempt: 1, delayMs: 100, asked: false, elapsedMs: 0 },
      { attempt: 2, delayMs: 200, asked: false, elapsedMs: 100 },
    ]);
  });
});

describe('the defaults', () => {
  it('isRetriable reads the retriable flag SiphonErrors carry', () => {
    expect(isRetriable(new SiphonError('x', { code: 'X', retriable: true }))).toBe(true);
    expect(isRetriable(new SiphonError('x', { code: 'X' }))).toBe(false);
    expect(isRetriable({ retriable: 'yes' })).toBe(false);
    expect(isRetriable(null)).toBe(false);
  });

  it('retryAfterOf takes only a finite, non-negative wait', () => {
    expect(retryAfterOf({ retryAfterMs: 1500 })).toBe(1500);
    expect(retryAfterOf({ retryAfterMs: -5 })).toBe(0);
    expect(retryAfterOf({ retryAfterMs: Number.NaN })).toBeUndefined();
    expect(retryAfterOf({ retryAfterMs: '1500' })).toBeUndefined();
    expect(retryAfterOf(new Error('x'))).toBeUndefined();
  });

  it('backoffDelay grows by the factor and stops at the cap', () => {
    const p = { initialDelayMs: 200, maxDelayMs: 5000, factor: 3, jitter: 'none' as const };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, p))).toEqual([200, 600, 1800, 5000]);
    expect(backoffDelay(3, { ...p, jitter: 'full' }, () => 0)).toBe(0);
  });
});

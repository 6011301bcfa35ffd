import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, setLongTimeout, sleep } from '../../src/index.js';

const DAY = 86_400_000;

describe('timers for any duration', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a 25-day timer once, after 25 days and not before', async () => {
    const fired: number[] = [];
    const start = Date.now();
    setLongTimeout(() => fired.push(Date.now() - start), 25 * DAY);
    await vi.advanceTimersByTimeAsync(25 * DAY - 1);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([25 * DAY]);
    await vi.advanceTimersByTimeAsync(100 * DAY);
    expect(fired).toHaveLength(1);
  });

  it('chains several links for very long delays and can be cleared on any link', async () => {
    const fired: number[] = [];
    const timer = setLongTimeout(() => fired.push(1), 3 * MAX_TIMER_DELAY_MS + 5);
    await vi.advanceTimersByTimeAsync(2 * MAX_TIMER_DELAY_MS + 10);
    expect(fired).toEqual([]);
    timer.clear();
    await vi.advanceTimersByTimeAsync(5 * MAX_TIMER_DELAY_MS);
    expect(fired).toEqual([]);
  });

  it('never fires an infinite delay', async () => {
    const fired: number[] = [];
    setLongTimeout(() => fired.push(1), Number.POSITIVE_INFINITY);
    await vi.advanceTimersByTimeAsync(10 * MAX_TIMER_DELAY_MS);
    expect(fired).toEqual([]);
  });

  it('sleeps 30 days, and an abort rejects with the signal reason', async () => {
    let woke = false;
    const done = sleep(30 * DAY).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(29 * DAY);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(DAY);
    await done;
    expect(woke).toBe(true);

    const controller = new AbortController();
    const aborted = sleep(30 * DAY, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });
});

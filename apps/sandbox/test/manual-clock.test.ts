import { describe, expect, it } from 'vitest';
import { manualClock } from '../src/index.js';

describe('manualClock', () => {
  it('stands still until advanced', () => {
    const clock = manualClock(5_000);
    expect(clock.now()).toBe(5_000);
    clock.advance(250);
    expect(clock.now()).toBe(5_250);
  });

  it('sleep moves it on by the wait, and waits that overlap end together', async () => {
    const clock = manualClock(1_000);
    await clock.sleep(300);
    expect(clock.now()).toBe(1_300);
    await Promise.all([clock.sleep(300), clock.sleep(300), clock.sleep(100)]);
    expect(clock.now()).toBe(1_600);
    await clock.sleep(200);
    expect(clock.now()).toBe(1_800);
  });

  it('a wait that already ended, a negative or a NaN one leaves it where it is', async () => {
    const clock = manualClock(1_000);
    const short = clock.sleep(100);
    clock.advance(500);
    await short;
    expect(clock.now()).toBe(1_500);
    await clock.sleep(-10);
    await clock.sleep(Number.NaN);
    expect(clock.now()).toBe(1_500);
  });

  it('sleep rejects with the reason of a signal aborted before it ends, and does not move on', async () => {
    const clock = manualClock(1_000);
    const reason = new Error('stop');
    const controller = new AbortController();
    const waiting = clock.sleep(1_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(clock.sleep(1_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(clock.now()).toBe(1_000);
  });
});

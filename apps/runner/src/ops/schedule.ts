import { SiphonError, setLongTimeout } from '@siphon/core';
import { Cron } from 'croner';
import type { ScheduleConfig } from '../config/schema.js';

/** When the run after one that started at `lastStart` is due; skips slots missed while it ran. */
export function nextRunAt(schedule: ScheduleConfig, lastStart: number, now: number): number {
  if ('every' in schedule) {
    const missed = Math.max(0, Math.floor((now - lastStart) / schedule.every));
    return lastStart + (missed + 1) * schedule.every;
  }
  const cron = new Cron(schedule.cron, {
    paused: true,
    ...(schedule.timezone ? { timezone: schedule.timezone } : {}),
  });
  const next = cron.nextRun(new Date(Math.max(now, lastStart)));
  cron.stop();
  if (!next)
    throw new SiphonError(`cron "${schedule.cron}" has no future run`, { code: 'SCHEDULE_NO_FUTURE_RUN' });
  return next.getTime();
}

export function describeSchedule(schedule: ScheduleConfig | undefined): string {
  if (!schedule) return 'once';
  if ('every' in schedule) return `every ${schedule.every / 1000}s`;
  return `cron "${schedule.cron}"${schedule.timezone ? ` (${schedule.timezone})` : ''}`;
}

/** Resolves after `ms` (any duration), or early (without rejecting) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setLongTimeout(done, ms);
    function done() {
      timer.clear();
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `run` now and then on the schedule until `signal` aborts. Runs never overlap: a slot that
 * passes while a run is still going is skipped. A failing run does not stop the schedule.
 */
export async function runOnSchedule(
  schedule: ScheduleConfig,
  signal: AbortSignal,
  run: () => Promise<void>,
  clock: { now(): number; sleep(ms: number, signal: AbortSignal): Promise<void> } = { now: Date.now, sleep },
  onNext?: (at: number) => void,
): Promise<void> {
  while (!signal.aborted) {
    const started = clock.now();
    await run();
    if (signal.aborted) return;
    const at = nextRunAt(schedule, started, clock.now());
    onNext?.(at);
    await clock.sleep(Math.max(0, at - clock.now()), signal);
  }
}

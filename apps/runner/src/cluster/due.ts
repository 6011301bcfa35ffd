import type { ResourceState } from '@siphon/core';
import { Cron } from 'croner';
import type { ScheduleConfig } from '../config/schema.js';

/**
 * When a unit a replica has just been given should first run, from the state its previous owner
 * committed: at once when it never completed a run or was interrupted (a checkpoint is left), else
 * at the first slot of its schedule after the last complete run (at once if that slot has passed).
 * So a rebalance neither re-runs finished units nor delays overdue ones.
 */
export function firstRunAt(schedule: ScheduleConfig, state: ResourceState | undefined, now: number): number {
  if (!state?.last_run || state.checkpoint) return now;
  const completed = Date.parse(state.last_run.completed_at);
  if (!Number.isFinite(completed)) return now;
  let next: number;
  if ('every' in schedule) next = completed + schedule.every;
  else {
    const cron = new Cron(schedule.cron, {
      paused: true,
      ...(schedule.timezone ? { timezone: schedule.timezone } : {}),
    });
    next = cron.nextRun(new Date(completed))?.getTime() ?? Number.POSITIVE_INFINITY;
    cron.stop();
  }
  return Math.max(now, next);
}

import type { ScheduleConfig } from '../config/schema.js';
import { nextRunAt } from '../ops/schedule.js';
import type { SchedulingGate } from './gate.js';

/**
 * One pipeline's life in `siphon run` (without --group): a first run at once, then runs on its
 * schedule, each waiting at the gate, so that the control plane can pause the schedule and start
 * runs now. A pipeline without a schedule runs once and then only on request. Runs never overlap:
 * a slot that passes while a run goes is skipped.
 */
export async function pipelineLoop(options: {
  pipeline: string;
  schedule: ScheduleConfig | undefined;
  gate: SchedulingGate;
  signal: AbortSignal;
  run: (resources?: string[]) => Promise<void>;
  onNext?: (at: number) => void;
}): Promise<void> {
  const { pipeline, schedule, gate, signal } = options;
  let at = Date.now();
  while (!signal.aborted) {
    const turn = await gate.wait(pipeline, undefined, at, signal);
    if (signal.aborted) return;
    const started = Date.now();
    await options.run(turn.resources);
    if (signal.aborted) return;
    // A run on request leaves a scheduled slot that is still ahead where it was.
    if (!schedule) at = Number.POSITIVE_INFINITY;
    else if (!turn.manual || at <= Date.now()) at = nextRunAt(schedule, started, Date.now());
    if (Number.isFinite(at)) options.onNext?.(at);
  }
}

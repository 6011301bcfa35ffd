/**
 * A replica given a unit fences its previous owner and reads its state before running it; while
 * that fails (Kafka away, a coordinator loading) it tries again, 2 s doubling to 60 s, for as long
 * as it owns the unit. Fakes stand in for Kafka; the retries' clock is a fake one that never waits.
 */
import type { RetryClock } from '@siphon/core';
import { describe, expect, it } from 'vitest';
import type { UnitFencer } from '../src/cluster/fence.js';
import { runOwnedUnits, type UnitRunnerDeps } from '../src/cluster/unit-runner.js';
import type { UnitWeights } from '../src/cluster/units.js';
import type { Logger } from '../src/logging/logger.js';
import type { RunnerMetrics } from '../src/ops/metrics.js';
import type { Readiness } from '../src/ops/readiness.js';
import type { PipelineRunner } from '../src/pipeline/pipeline-runner.js';

const unit = { id: 'p/invoices', pipeline: 'p', resource: 'invoices' };

function setup(options: { fenceFailures: number; onWait?: (ms: number) => void }) {
  const controller = new AbortController();
  const warnings: Array<Record<string, unknown>> = [];
  const waits: number[] = [];
  let fences = 0;
  let runs = 0;
  const fencer = {
    fence: async () => {
      fences++;
      if (fences <= options.fenceFailures)
        throw Object.assign(new Error('The coordinator is not available'), { retriable: true });
    },
  } as unknown as UnitFencer;
  const runner = {
    config: { name: 'p', schedule: { every: 60_000 }, concurrency: 1 },
    committedState: async () => undefined,
    run: async () => {
      runs++;
      controller.abort();
      return { status: 'stopped', results: [], durationMs: 0 };
    },
  } as unknown as PipelineRunner;
  const logger: Logger = {
    child: () => logger,
    debug: () => {},
    info: () => {},
    warn: (fields: Record<string, unknown>) => void warnings.push(fields),
  } as unknown as Logger;
  const clock: RetryClock = {
    now: () => Date.now(),
    sleep: async (ms, signal) => {
      waits.push(ms);
      options.onWait?.(ms);
      signal?.throwIfAborted();
    },
  };
  const deps: UnitRunnerDeps = {
    runners: new Map([['p', runner]]),
    fencer,
    weights: { learn: () => {} } as unknown as UnitWeights,
    logger,
    metrics: {} as RunnerMetrics,
    readiness: { runSucceeded: () => {}, runFailed: () => {} } as unknown as Readiness,
    clock,
  };
  return { controller, deps, waits, warnings, fences: () => fences, runs: () => runs };
}

describe("a unit's takeover", () => {
  it('is retried, 2 s doubling to 60 s, until it works; then the unit runs', async () => {
    const t = setup({ fenceFailures: 7 });
    await runOwnedUnits([unit], t.controller.signal, t.deps);
    expect(t.fences()).toBe(8);
    expect(t.runs()).toBe(1);
    expect(t.waits).toEqual([2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(t.warnings.map((w) => [w.attempt, w.retry_in_ms])).toEqual([
      [1, 2000],
      [2, 4000],
      [3, 8000],
      [4, 16_000],
      [5, 32_000],
      [6, 60_000],
      [7, 60_000],
    ]);
  });

  it('stops, without running the unit, once the unit is revoked during a wait', async () => {
    const t = setup({
      fenceFailures: 100,
      onWait: () => {
        if (t.waits.length === 3) t.controller.abort();
      },
    });
    await expect(runOwnedUnits([unit], t.controller.signal, t.deps)).resolves.toBeUndefined();
    expect(t.fences()).toBe(3);
    expect(t.runs()).toBe(0);
  });
});

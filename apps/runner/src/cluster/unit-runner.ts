import { PipelineError, type ResourceState, type RetryClock, type RetryPolicy, retry } from '@siphon/core';
import PQueue from 'p-queue';
import type { SchedulingGate } from '../control/gate.js';
import { oneLineReason } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { RunnerMetrics } from '../ops/metrics.js';
import type { Readiness } from '../ops/readiness.js';
import { nextRunAt, sleep } from '../ops/schedule.js';
import type { PipelineRunner, RunOutcome } from '../pipeline/pipeline-runner.js';
import { firstRunAt } from './due.js';
import type { UnitFencer } from './fence.js';
import { type HandoverOutcome, handoverSink, isFenced } from './handover-sink.js';
import type { Unit, UnitWeights } from './units.js';

export interface UnitRunnerDeps {
  runners: ReadonlyMap<string, PipelineRunner>;
  fencer: UnitFencer;
  weights: UnitWeights;
  logger: Logger;
  metrics: RunnerMetrics;
  readiness: Readiness;
  gate?: SchedulingGate;
  /** Injected for tests: the clock of the takeover's retries. */
  clock?: RetryClock;
}

/** Units taken over at once (each opens a short-lived producer to fence the previous owner). */
const TAKEOVER_CONCURRENCY = 8;

/** Between failed takeovers of a unit: 2 s doubling to 60 s, for as long as the unit is owned. */
const TAKEOVER_BACKOFF: RetryPolicy = { initialDelayMs: 2000, maxDelayMs: 60_000, jitter: 'none' };

/**
 * Runs the units of one assignment, each on its pipeline's schedule, until `signal` aborts (the
 * units are revoked, or the replica stops); resolves once every unit has stopped and its open
 * transaction was committed or aborted. A pipeline's units share its `concurrency`.
 */
export async function runOwnedUnits(
  units: readonly Unit[],
  signal: AbortSignal,
  deps: UnitRunnerDeps,
): Promise<void> {
  const queues = new Map<string, PQueue>();
  const takeovers = new PQueue({ concurrency: TAKEOVER_CONCURRENCY });
  const queueOf = (runner: PipelineRunner) => {
    let queue = queues.get(runner.config.name);
    if (!queue) {
      queue = new PQueue({ concurrency: runner.config.concurrency });
      queues.set(runner.config.name, queue);
    }
    return queue;
  };
  await Promise.allSettled(
    units.map((unit) => {
      const runner = deps.runners.get(unit.pipeline);
      if (!runner) return Promise.resolve();
      return new UnitLoop(unit, runner, signal, deps, queueOf(runner), takeovers).run();
    }),
  );
  takeovers.clear();
  for (const queue of queues.values()) queue.clear();
  // A failed run of a unit this replica no longer owns is not this replica's readiness problem.
  for (const unit of units) deps.readiness.runSucceeded(unit.id);
}

class UnitLoop {
  readonly #log: Logger;
  #fenced = false;

  constructor(
    private readonly unit: Unit,
    private readonly runner: PipelineRunner,
    private readonly signal: AbortSignal,
    private readonly deps: UnitRunnerDeps,
    private readonly queue: PQueue,
    private readonly takeovers: PQueue,
  ) {
    this.#log = deps.logger.child({ pipeline: unit.pipeline, resource: unit.resource, unit: unit.id });
  }

  async run(): Promise<void> {
    const schedule = this.runner.config.schedule;
    if (!schedule) return;
    const taken = await this.#takeOver();
    if (!taken) return;
    let at = firstRunAt(schedule, taken.state, Date.now());
    while (!this.signal.aborted && !this.#fenced) {
      const wait = at - Date.now();
      if (wait > 0) this.#log.info({ next_run: new Date(at).toISOString() }, 'unit: next run scheduled');
      // The control plane's gate holds a paused unit and starts one on request.
      if (this.deps.gate) await this.deps.gate.wait(this.unit.pipeline, this.unit.resource, at, this.signal);
      else if (wait > 0) await sleep(wait, this.signal);
      if (this.signal.aborted) return;
      const started = Date.now();
      const outcome = await this.queue.add(() => (this.signal.aborted ? undefined : this.#runOnce()));
      if (!outcome) return;
      at = nextRunAt(schedule, started, Date.now());
    }
  }

  /** Fences the previous owner, then reads the state it committed. Retries until it works or stops. */
  async #takeOver(): Promise<{ state: ResourceState | undefined } | undefined> {
    const takeOverOnce = () =>
      this.takeovers.add(async () => {
        const started = Date.now();
        await this.deps.fencer.fence(this.runner, this.unit.resource);
        const state = await this.runner.committedState(this.unit.resource);
        if (state?.last_run) this.deps.weights.learn(this.unit, state.last_run.records);
        this.#log.debug(
          {
            duration_ms: Date.now() - started,
            interrupted: Boolean(state?.checkpoint),
            last_run: state?.last_run?.completed_at,
          },
          'unit taken over: previous owner fenced',
        );
        return { state };
      });
    try {
      return await retry(takeOverOnce, {
        ...TAKEOVER_BACKOFF,
        signal: this.signal,
        ...(this.deps.clock ? { clock: this.deps.clock } : {}),
        // Whatever failed, the unit is still ours to run: keep trying until it is revoked.
        retriable: () => true,
        onRetry: ({ error, attempt, delayMs }) =>
          this.#log.warn(
            { err: error, attempt, retry_in_ms: delayMs },
            'unit: taking it over (fencing the previous owner, reading its state) failed; retrying',
          ),
      });
    } catch (error) {
      if (this.signal.aborted) return undefined;
      throw error;
    }
  }

  async #runOnce(): Promise<RunOutcome> {
    const { unit, runner, deps } = this;
    const outcome = await runner.run(this.signal, {
      resources: [unit.resource],
      wrapSink: (sink) => handoverSink(sink, this.signal, (h) => this.#onHandover(h)),
    });
    const records = outcome.results.find((r) => r.resource === unit.resource)?.records;
    const fields = { outcome: outcome.status, duration_ms: outcome.durationMs, records };
    if (outcome.status === 'success') {
      deps.weights.learn(unit, records ?? 0);
      deps.readiness.runSucceeded(unit.id);
      this.#log.info(fields, 'unit run finished');
    } else if (outcome.status === 'failure') {
      const fenced = PipelineError.isInstance(outcome.error)
        ? outcome.error.failed.some((f) => isFenced(f.error))
        : isFenced(outcome.error);
      if (fenced) this.#stopFenced(outcome.error);
      else {
        deps.readiness.runFailed(unit.id, oneLineReason(outcome.error));
        this.#log.warn({ ...fields, reason: oneLineReason(outcome.error) }, 'unit run failed');
      }
    } else this.#log.info(fields, 'unit run stopped');
    return outcome;
  }

  #onHandover(outcome: HandoverOutcome): void {
    if (outcome.type === 'committed') {
      this.#log.info(
        { pages: outcome.pages },
        'unit stopped: committed what it had read, for the next owner',
      );
    } else if (outcome.type === 'fenced') this.#stopFenced(outcome.error);
    else
      this.#log.warn({ err: outcome.error }, 'unit stopped: committing for the next owner failed; aborted');
  }

  /** Another replica owns the unit now and fenced this one: stop it for good, never retry. */
  #stopFenced(error: Error): void {
    if (this.#fenced) return;
    this.#fenced = true;
    this.deps.metrics.fencedUnits.inc({ pipeline: this.unit.pipeline, resource: this.unit.resource });
    this.#log.warn(
      { reason: oneLineReason(error) },
      'unit fenced: another replica took it over, so this late commit was refused; the unit stops here (no retry)',
    );
  }
}

import { randomUUID } from 'node:crypto';
import type { Redaction } from '@siphon/core';
import {
  asError,
  createEventBus,
  type EventBus,
  PipelineError,
  type ResourceResult,
  type ResourceState,
  type RestApiSource,
  runPipeline,
  type Sink,
  SiphonError,
  type SiphonEvent,
  type StateStore,
} from '@siphon/core';
import { createKafkaSink, type KafkaSink, topicName } from '@siphon/sink-kafka';
import type { PipelineConfig } from '../config/schema.js';
import { logEvent } from '../logging/event-log.js';
import type { Logger } from '../logging/logger.js';
import type { RunnerMetrics } from '../ops/metrics.js';
import type { ProgressBoard } from '../ops/progress.js';
import { TokenVault } from '../ops/token-vault.js';
import { buildSource, sourceNameOf } from './build-source.js';
import { kafkaSinkOptions } from './sink-options.js';
import { runStateStore, standaloneStateStore } from './state-store.js';

export type RunOutcome =
  | { status: 'success'; results: ResourceResult[]; durationMs: number }
  | { status: 'aborted'; results: readonly ResourceResult[]; durationMs: number }
  | { status: 'failure'; error: Error; results: readonly ResourceResult[]; durationMs: number };

declare module '@siphon/core' {
  interface SiphonEventMap {
    /** A run of a pipeline starts, for observers such as the control plane (`src/control/`). */
    'runner.run_started': { runId: string; resources: string[]; at: number };
    'runner.run_finished': { runId: string; resources: string[]; outcome: RunOutcome; at: number };
  }
}

/** A run starting or ending. */
export type RunEvent = SiphonEvent<'runner.run_started' | 'runner.run_finished'>;

/** Narrows or adapts one run (scale-out runs one unit at a time through these). */
export interface RunScope {
  /** Only these resources, instead of `resourceNames`. */
  resources?: string[];
  /** Wraps the sink for this run only (e.g. to commit instead of abort when the run is stopped). */
  wrapSink?: (sink: Sink) => Sink;
}

export interface PipelineRunnerDeps {
  logger: Logger;
  secrets: Redaction;
  metrics?: RunnerMetrics;
  board?: ProgressBoard;
  /** Directory relative state file paths are resolved from (the pipelines file's). */
  baseDir: string;
  /** AES-256 key for rotated refresh tokens; without it they stay in memory. */
  stateKey: Buffer | undefined;
  /** Only these resources (the --resources option), within the pipeline's own selection. */
  resources?: string[];
}

/**
 * One pipeline's long-lived parts (source, sink, state store) and its runs. The source lives as
 * long as the process, so an OAuth access token is reused across scheduled runs.
 */
export class PipelineRunner {
  readonly config: PipelineConfig;
  readonly sourceName: string;
  /**
   * The pipeline's one event bus: the engine, the HTTP client, OAuth2, the sink and the runner
   * emit into it; logs, metrics, the progress board and the control plane subscribe to it.
   */
  readonly events: EventBus;
  readonly #deps: PipelineRunnerDeps;
  readonly #logger: Logger;
  #source: RestApiSource | undefined;
  #sink: KafkaSink | undefined;
  #store: StateStore | undefined;
  #vaultStore: StateStore | undefined;
  /** Records sent to the dead-letter topic, per resource, during its current run. */
  readonly #deadLetters = new Map<string, number>();

  constructor(config: PipelineConfig, deps: PipelineRunnerDeps) {
    this.config = config;
    this.sourceName = sourceNameOf(config);
    this.#deps = deps;
    this.#logger = deps.logger.child({ pipeline: config.name });
    this.events = createEventBus({
      onListenerError: (error, event) =>
        this.#logger.warn({ err: asError(error), event: event.type }, 'an event subscriber failed'),
    });
    this.events.onAny((event) => logEvent(this.#logger, event));
    deps.metrics?.subscribe(this.events, config.name, (resource) => this.topicOf(resource));
    const board = deps.board;
    if (board) this.events.onAny((event) => board.observe(config.name, event));
    this.events.on('sink.dead_letter', (event) =>
      this.#deadLetters.set(event.resource, (this.#deadLetters.get(event.resource) ?? 0) + 1),
    );
  }

  get source(): RestApiSource {
    if (!this.#source)
      throw new SiphonError(`pipeline ${this.config.name} is not prepared`, { code: 'RUNNER_NOT_PREPARED' });
    return this.#source;
  }

  /** The resources a run extracts: the pipeline's selection narrowed by --resources. */
  get resourceNames(): string[] {
    const own = this.config.resources ?? this.source.resources.map((r) => r.name);
    const only = this.#deps.resources;
    return only && only.length > 0 ? own.filter((r) => only.includes(r)) : own;
  }

  /** Validates and builds the source (config errors surface here, before anything runs). */
  async prepare(): Promise<void> {
    this.#store = runStateStore(this.config, this.#deps.baseDir);
    const vault = new TokenVault(
      () => (this.#vaultStore ??= this.#store ?? standaloneStateStore(this.config, this.#deps.baseDir)),
      this.#deps.stateKey,
    );
    this.#source = await buildSource(this.config, {
      events: this.events,
      secrets: this.#deps.secrets,
      vault,
      onTokenRotated: (persisted) =>
        persisted
          ? this.#logger.info(
              'the OAuth server rotated the refresh token; stored encrypted in the state store',
            )
          : this.#logger.warn(
              'the OAuth server rotated the refresh token; set SIPHON_STATE_KEY to keep it across restarts (kept in memory only)',
            ),
    });
    this.#deps.board?.expect(this.config.name, this.resourceNames);
  }

  /** Calls `listener` when a run starts and when it ends; returns the unsubscribe function. */
  onRun(listener: (event: RunEvent) => void): () => void {
    const offs = [
      this.events.on('runner.run_started', listener),
      this.events.on('runner.run_finished', listener),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  async run(signal: AbortSignal, scope: RunScope = {}): Promise<RunOutcome> {
    const runId = randomUUID();
    const resources = scope.resources ?? this.resourceNames;
    this.events.emit({ type: 'runner.run_started', runId, resources, at: Date.now() });
    const outcome = await this.#run(runId, resources, signal, scope);
    this.events.emit({ type: 'runner.run_finished', runId, resources, outcome, at: Date.now() });
    return outcome;
  }

  async #run(runId: string, resources: string[], signal: AbortSignal, scope: RunScope): Promise<RunOutcome> {
    const started = Date.now();
    const log = this.#logger.child({ run_id: runId });
    this.#deps.metrics?.running.inc({ pipeline: this.config.name });
    log.info({ resources }, 'run started');
    for (const resource of resources) this.#deadLetters.set(resource, 0);
    try {
      const sink = this.#kafkaSink();
      const results = await runPipeline({
        source: this.source,
        sink: scope.wrapSink ? scope.wrapSink(sink) : sink,
        pipeline: this.config.name,
        ...(this.#store ? { stateStore: this.#store } : {}),
        concurrency: this.config.concurrency,
        signal,
        resources,
        runId,
      });
      const tolerance = this.#deadLetterFailure(resources, results);
      if (tolerance) throw tolerance;
      this.#succeeded(results);
      const durationMs = Date.now() - started;
      const records = results.reduce((n, r) => n + r.records, 0);
      log.info({ duration_ms: durationMs, records, resources: results.length }, 'run finished');
      this.#deps.metrics?.runFinished(this.config.name, 'success', durationMs / 1000);
      return { status: 'success', results, durationMs };
    } catch (error) {
      const durationMs = Date.now() - started;
      const results = PipelineError.isInstance(error) ? error.results : [];
      this.#succeeded(results);
      if (signal.aborted) {
        const revoked = (signal.reason as { code?: unknown } | undefined)?.code === 'UNITS_REVOKED';
        log.info(
          { duration_ms: durationMs, completed: results.map((r) => r.resource) },
          revoked ? 'run stopped: its units were revoked' : 'run stopped by shutdown',
        );
        this.#deps.metrics?.runFinished(this.config.name, 'aborted', durationMs / 1000);
        return { status: 'aborted', results, durationMs };
      }
      const err = asError(error);
      log.error({ err, duration_ms: durationMs }, 'run failed');
      this.#deps.metrics?.runFinished(this.config.name, 'failure', durationMs / 1000);
      return { status: 'failure', error: err, results, durationMs };
    } finally {
      this.#deps.metrics?.running.dec({ pipeline: this.config.name });
    }
  }

  /**
   * The state last committed for one resource, read without fencing its writer: scale-out fences
   * a unit on its own when it takes it over, then reads this to decide when the unit is due.
   */
  async committedState(resource: string): Promise<ResourceState | undefined> {
    const key = { pipeline: this.config.name, source: this.sourceName, resource };
    if (this.#store) return this.#store.get(key);
    return this.#kafkaSink().stateStore().current(key);
  }

  /** Deletes one resource's state (as `siphon state --reset`): its next run starts over. */
  async deleteState(resource: string): Promise<void> {
    const key = { pipeline: this.config.name, source: this.sourceName, resource };
    if (this.#store) return this.#store.delete(key);
    return this.#kafkaSink().stateStore().delete(key);
  }

  #kafkaSink(): KafkaSink {
    this.#sink ??= createKafkaSink(
      kafkaSinkOptions(this.config, {
        logger: this.#logger.child({ component: 'sink-kafka' }),
        events: this.events,
      }),
    );
    return this.#sink;
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      this.#source?.close(),
      this.#sink?.close(),
      this.#store?.close?.(),
      this.#vaultStore && this.#vaultStore !== this.#store ? this.#vaultStore.close?.() : undefined,
    ]);
  }

  topicOf(resource: string): string {
    return topicName(this.config.topics.template, {
      prefix: this.config.topics.prefix,
      pipeline: this.config.name,
      source: this.sourceName,
      resource,
    });
  }

  #succeeded(results: readonly ResourceResult[]): void {
    for (const r of results) this.#deps.metrics?.resourceSucceeded(this.config.name, r.resource);
  }

  /** The run's failure when more records went to the dead-letter topic than `errors.tolerance` allows. */
  #deadLetterFailure(
    resources: readonly string[],
    results: readonly ResourceResult[],
  ): PipelineError | undefined {
    const tolerance = this.config.errors.tolerance;
    if (tolerance === 'all') return undefined;
    const allowed = tolerance === 'none' ? 0 : tolerance;
    const failed = resources.flatMap((resource) => {
      const count = this.#deadLetters.get(resource) ?? 0;
      return count > allowed ? [{ resource, count }] : [];
    });
    if (failed.length === 0) return undefined;
    const dlq = this.config.topics.deadLetterTopic;
    return new PipelineError(
      failed.map(({ resource, count }) => ({
        resource,
        error: new SiphonError(
          `${count} record${count === 1 ? '' : 's'} went to the dead-letter topic ${dlq}, more than errors.tolerance allows (${tolerance}); they are there, and the other records were committed`,
          { code: 'DEAD_LETTER_TOLERANCE_EXCEEDED' },
        ),
      })),
      results,
    );
  }
}
